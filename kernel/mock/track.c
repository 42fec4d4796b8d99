// SPDX-License-Identifier: GPL-2.0
/*
 * iofault_mock: what the hardware knows of the groups it issued.
 *
 * Every group that needs a response (a VT-d request with Last Page In
 * Group or private data, an SMMU stall) is counted in md->groups by its
 * key, the fields the hardware matches a response with, from the moment
 * the hardware takes it until a response with that key arrives. A
 * response that finds no such group is a duplicate: the core answered a
 * group twice, or answered one that never existed. A key's count can
 * exceed one only if the device reused a group index while it was
 * outstanding, which a well-behaved device never does.
 */
#include <linux/seq_file.h>
#include <linux/timekeeping.h>
#include <linux/sched/signal.h>

#include "mock.h"

static const char * const mock_code_names[IOFAULT_RESP_NR] = {
	[IOFAULT_RESP_SUCCESS] = "success",
	[IOFAULT_RESP_INVALID] = "invalid",
	[IOFAULT_RESP_FAILURE] = "failure",
};

/* The name of an enum iofault_resp_code, NULL for another value. */
const char *mock_code_name(u32 code)
{
	return code < IOFAULT_RESP_NR ? mock_code_names[code] : NULL;
}

/* iofault_report(), timed: the benchmark compares it with the core's. */
int mock_report(struct mock_dev *md, const struct iofault_fault *f)
{
	u64 start = ktime_get_ns();
	int err = iofault_report(md->idev, f);

	start = ktime_get_ns() - start;
	mutex_lock(&md->lock);
	md->c.report_ns += start;
	mutex_unlock(&md->lock);
	return err;
}

void mock_track_init(struct mock_dev *md)
{
	mutex_init(&md->lock);
	init_waitqueue_head(&md->wq);
	xa_init(&md->groups);
}

void mock_track_destroy(struct mock_dev *md)
{
	xa_destroy(&md->groups);
}

static unsigned long mock_count(struct mock_dev *md, unsigned long key)
{
	void *entry = xa_load(&md->groups, key);

	return entry ? xa_to_value(entry) : 0;
}

/* Whether a group with @key is unanswered. Caller holds md->lock. */
bool mock_hw_busy(struct mock_dev *md, unsigned long key)
{
	lockdep_assert_held(&md->lock);
	return mock_count(md, key);
}

/* The hardware took a group that needs a response. Caller holds md->lock. */
int mock_hw_issue(struct mock_dev *md, unsigned long key)
{
	int err;

	lockdep_assert_held(&md->lock);
	err = xa_err(xa_store(&md->groups, key,
			      xa_mk_value(mock_count(md, key) + 1),
			      GFP_KERNEL));
	if (err)
		return err;
	md->outstanding++;
	md->c.issued++;
	return 0;
}

static void mock_log(struct mock_dev *md, const struct mock_hwresp *r)
{
	md->log[md->log_next++ % MOCK_LOG_LEN] = *r;
	if (md->log_len < MOCK_LOG_LEN)
		md->log_len++;
}

/*
 * The hardware answered a group itself, without it ever being reported.
 * Caller holds md->lock.
 */
void mock_hw_auto(struct mock_dev *md, struct mock_hwresp *r)
{
	lockdep_assert_held(&md->lock);
	r->flags |= MOCK_RESP_AUTO;
	md->c.issued++;
	md->c.autoresp++;
	md->resp_gen++;
	mock_log(md, r);
}

/* Take one count of @key off the unanswered groups, if there is one. */
static bool mock_release(struct mock_dev *md, unsigned long key)
{
	unsigned long n = mock_count(md, key);

	if (!n)
		return false;
	if (n == 1) {
		xa_erase(&md->groups, key);
		/* The group is answered: its deferral, if any, is over. */
		mock_undefer(md, key);
	} else {
		/* Replaces an existing entry: allocates nothing. */
		xa_store(&md->groups, key, xa_mk_value(n - 1), GFP_KERNEL);
	}
	md->outstanding--;
	md->resp_gen++;
	return true;
}

/*
 * A response from software reached the hardware: match it with the group
 * it answers (@key, MOCK_KEY_NONE if it cannot match any), count and log it.
 */
void mock_hw_answer(struct mock_dev *md, unsigned long key,
		    struct mock_hwresp *r)
{
	mutex_lock(&md->lock);
	if (key != MOCK_KEY_NONE && mock_release(md, key)) {
		md->c.answered++;
	} else {
		md->c.duplicate++;
		r->flags |= MOCK_RESP_DUP;
	}
	md->c.responses++;
	if (r->code < IOFAULT_RESP_NR)
		md->c.codes[r->code]++;
	mock_log(md, r);
	mutex_unlock(&md->lock);
	wake_up_all(&md->wq);
}

/* Forget the log and the counters; what is unanswered stays so. */
void mock_hw_clear(struct mock_dev *md)
{
	mutex_lock(&md->lock);
	md->log_next = 0;
	md->log_len = 0;
	memset(&md->c, 0, sizeof(md->c));
	mutex_unlock(&md->lock);
}

void mock_hw_show_log(struct seq_file *m, struct mock_dev *md)
{
	unsigned int i, first;

	mutex_lock(&md->lock);
	first = md->log_next - md->log_len;
	for (i = 0; i < md->log_len; i++) {
		const struct mock_hwresp *r = &md->log[(first + i) % MOCK_LOG_LEN];

		md->hw->show_resp(m, r);
		if (r->flags & MOCK_RESP_AUTO)
			seq_puts(m, " auto");
		if (r->flags & MOCK_RESP_DUP)
			seq_puts(m, " dup");
		seq_putc(m, '\n');
	}
	mutex_unlock(&md->lock);
}

void mock_hw_show_stats(struct seq_file *m, struct mock_dev *md)
{
	const struct mock_counters *c = &md->c;
	int code;

	mutex_lock(&md->lock);
	seq_printf(m, "responses %llu\n", c->responses);
	for (code = 0; code < IOFAULT_RESP_NR; code++)
		seq_printf(m, "%s %llu\n", mock_code_names[code],
			   c->codes[code]);
	seq_printf(m, "issued %llu\n", c->issued);
	seq_printf(m, "answered %llu\n", c->answered);
	seq_printf(m, "unanswered %u\n", md->outstanding);
	seq_printf(m, "duplicate %llu\n", c->duplicate);
	seq_printf(m, "auto %llu\n", c->autoresp);
	seq_printf(m, "overflow %llu\n", c->overflow);
	seq_printf(m, "requests %llu\n", c->requests);
	seq_printf(m, "hits %llu\n", c->hits);
	seq_printf(m, "report_ns %llu\n", c->report_ns);
	seq_printf(m, "queued %llu\n", md->produced - md->consumed);
	seq_printf(m, "deferred %u\n", md->ndeferred);
	seq_printf(m, "mapped %llu\n", READ_ONCE(md->mapped));
	md->hw->show_stats(m, md);
	mutex_unlock(&md->lock);
}

/*
 * Nothing moves any more: the queue is drained (or paused) and every
 * issued group is answered, except those the resolver deferred. A wait
 * condition: it reads without md->lock (see mock_can_send()).
 */
bool mock_hw_settled(struct mock_dev *md)
{
	return (READ_ONCE(md->paused) ||
		(READ_ONCE(md->produced) == READ_ONCE(md->consumed) &&
		 !READ_ONCE(md->held))) &&
	       READ_ONCE(md->outstanding) == READ_ONCE(md->ndeferred);
}

/* Let the driver's IRQ thread drain the queue, unless it is paused. */
void mock_kick(struct mock_dev *md)
{
	if (!READ_ONCE(md->paused))
		queue_work(system_unbound_wq, &md->drain);
}

/*
 * The condition mock_wait_room() sleeps on. It runs in the waiter's
 * sleeping state, so it must not take md->lock: it reads without it, and
 * the waiter checks again under the lock once woken.
 */
static bool mock_can_send(struct mock_dev *md, bool group)
{
	return READ_ONCE(md->paused) || READ_ONCE(md->unplugged) ||
	       (md->hw->room(md) &&
		(!group || READ_ONCE(md->outstanding) < md->alloc));
}

/*
 * The device throttles itself while the driver drains the queue: it waits
 * for room in the queue, and before a request that opens a group needing
 * a response, for one of its allocation of outstanding groups (the PCIe
 * PRI "Outstanding Page Request Allocation"; a stalling master has a
 * bounded number of transactions in flight). A paused queue never frees
 * room, so then the device does not wait: that is how tests overflow it.
 * Called and returns with md->lock held; -EINTR on a fatal signal,
 * -ENODEV once the device is unplugged. Only
 * a fatal signal ends the device's waits: a write to inject or storm that
 * any signal cut short (a shell's SIGCHLD) would lose its last requests.
 */
int mock_wait_room(struct mock_dev *md, bool group)
{
	lockdep_assert_held(&md->lock);
	while (!mock_can_send(md, group)) {
		mutex_unlock(&md->lock);
		mock_kick(md);
		if (wait_event_killable(md->wq, mock_can_send(md, group))) {
			mutex_lock(&md->lock);
			return -EINTR;
		}
		mutex_lock(&md->lock);
	}
	return READ_ONCE(md->unplugged) ? -ENODEV : 0;
}
