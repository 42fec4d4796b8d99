// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: a worker process and its threads. Each thread picks actions
 * from the enabled families by weight until the epoch ends, then lets
 * each family drain and clean up what the thread holds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

const struct fz_family *const fz_families[FZ_NR_FAMILIES] = {
	&fz_fd_family, &fz_ctl_family, &fz_sysfs_family, &fz_priv_family,
	&fz_policy_family, &fz_hw_family, &fz_core_family,
};

/* The families of --families (a bit each); all by default. */
unsigned int fz_enabled = ~0U;

static unsigned int total_weight(void)
{
	unsigned int f, a, w = 0;

	for (f = 0; f < FZ_NR_FAMILIES; f++)
		if (fz_enabled & (1U << f))
			for (a = 0; a < fz_families[f]->nr_actions; a++)
				w += fz_families[f]->actions[a].weight;
	return w;
}

static void run_one(struct fz_thread *t, unsigned int total)
{
	unsigned int pick = fz_below(t, total), f, a;
	const struct fz_action *act;

	for (f = 0; f < FZ_NR_FAMILIES; f++) {
		if (!(fz_enabled & (1U << f)))
			continue;
		for (a = 0; a < fz_families[f]->nr_actions; a++) {
			act = &fz_families[f]->actions[a];
			if (pick < act->weight) {
				t->family = f;
				act->run(t);
				__atomic_fetch_add(&fz->actions, 1, __ATOMIC_RELAXED);
				__atomic_fetch_add(&fz->by_family[f], 1, __ATOMIC_RELAXED);
				return;
			}
			pick -= act->weight;
		}
	}
}

static void *thread_main(void *arg)
{
	struct fz_thread *t = arg;
	unsigned int total = total_weight(), f;

	for (f = 0; f < FZ_NR_FAMILIES; f++) {
		t->family = f;
		if ((fz_enabled & (1U << f)) && fz_families[f]->init)
			t->state[f] = fz_families[f]->init(t);
	}
	while (total && !fz_stopping())
		run_one(t, total);
	for (f = 0; f < FZ_NR_FAMILIES; f++) {
		t->family = f;
		if ((fz_enabled & (1U << f)) && fz_families[f]->drain && !fz->failed)
			fz_families[f]->drain(t, t->state[f]);
	}
	for (f = 0; f < FZ_NR_FAMILIES; f++) {
		t->family = f;
		if ((fz_enabled & (1U << f)) && fz_families[f]->fini)
			fz_families[f]->fini(t, t->state[f]);
	}
	return NULL;
}

/* Worker w of epoch e: its threads, then exit (in the child process). */
void fz_worker(unsigned int epoch, unsigned int w)
{
	static struct fz_thread threads[FZ_MAX_THREADS];
	pthread_t tid[FZ_MAX_THREADS];
	unsigned int i;

	fz_trace_open();
	for (i = 0; i < fz_opts.threads; i++) {
		struct fz_thread *t = &threads[i];

		memset(t, 0, sizeof(*t));
		t->worker = w;
		t->index = i;
		t->ring = &fz->ring[w][i];
		fz_seed(t->rng, fz_opts.seed, epoch * FZ_MAX_WORKERS + w + 1, i);
		if (pthread_create(&tid[i], NULL, thread_main, t)) {
			perror("iofuzz: pthread_create");
			_exit(1);
		}
	}
	for (i = 0; i < fz_opts.threads; i++)
		pthread_join(tid[i], NULL);
	_exit(0);
}
