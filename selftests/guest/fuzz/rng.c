// SPDX-License-Identifier: GPL-2.0
/*
 * iofuzz: the random streams. Each thread has its own, derived from the
 * run's seed and the thread's place (epoch and worker, thread), so that
 * a seed replays the same choices in every thread, whatever the others do.
 */
#include "fuzz.h"

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void fz_seed(uint64_t s[2], unsigned long long seed, unsigned int a,
	     unsigned int b)
{
	uint64_t x = seed ^ ((uint64_t)a << 40) ^ ((uint64_t)b << 20);

	s[0] = splitmix(&x);
	s[1] = splitmix(&x);
	if (!s[0] && !s[1])
		s[1] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t fz_next(uint64_t s[2])
{
	uint64_t s0 = s[0], s1 = s[1], r = s0 + s1;

	s1 ^= s0;
	s[0] = rotl(s0, 24) ^ s1 ^ (s1 << 16);
	s[1] = rotl(s1, 37);
	return r;
}

uint64_t fz_edgy(struct fz_thread *t)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff,
		0x10000, 0xfffff, 0x100000, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL,
	};
	uint64_t v = edges[fz_below(t, sizeof(edges) / sizeof(edges[0]))];

	switch (fz_below(t, 4)) {
	case 0:
		return v - 1;
	case 1:
		return v + 1;
	case 2:
		return fz_rand(t);
	default:
		return v;
	}
}
