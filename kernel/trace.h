/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofault tracepoints: what happens to each fault group, for perf,
 * bpftrace and BPF programs (events/iofault/ in tracefs).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM iofault

#if !defined(_IOFAULT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IOFAULT_TRACE_H

#include <linux/tracepoint.h>

/* A page request or an unrecoverable fault reported by a driver. */
TRACE_EVENT(iofault_report,
	TP_PROTO(u32 dev_id, u32 type, u32 flags, u32 pasid, u32 grpid,
		 u32 perm, u64 addr),
	TP_ARGS(dev_id, type, flags, pasid, grpid, perm, addr),
	TP_STRUCT__entry(
		__field(u32, dev_id)
		__field(u32, type)
		__field(u32, flags)
		__field(u32, pasid)
		__field(u32, grpid)
		__field(u32, perm)
		__field(u64, addr)
	),
	TP_fast_assign(
		__entry->dev_id = dev_id;
		__entry->type = type;
		__entry->flags = flags;
		__entry->pasid = pasid;
		__entry->grpid = grpid;
		__entry->perm = perm;
		__entry->addr = addr;
	),
	TP_printk("dev=%u type=%u flags=%#x pasid=%u grpid=%u perm=%#x addr=%#llx",
		  __entry->dev_id, __entry->type, __entry->flags,
		  __entry->pasid, __entry->grpid, __entry->perm, __entry->addr)
);

/* The verdict applied to a new group, and which policy gave it. */
TRACE_EVENT(iofault_verdict,
	TP_PROTO(u32 dev_id, u64 cookie, const char *policy, u32 verdict),
	TP_ARGS(dev_id, cookie, policy, verdict),
	TP_STRUCT__entry(
		__field(u32, dev_id)
		__field(u64, cookie)
		__string(policy, policy)
		__field(u32, verdict)
	),
	TP_fast_assign(
		__entry->dev_id = dev_id;
		__entry->cookie = cookie;
		__assign_str(policy);
		__entry->verdict = verdict;
	),
	TP_printk("dev=%u cookie=%#llx policy=%s verdict=%s", __entry->dev_id,
		  __entry->cookie, __get_str(policy),
		  __print_symbolic(__entry->verdict,
				   { IOFAULT_VERDICT_RESOLVE, "resolve" },
				   { IOFAULT_VERDICT_FORWARD, "forward" },
				   { IOFAULT_VERDICT_FAIL, "fail" }))
);

/* A group queued to the device's user-space handler. */
TRACE_EVENT(iofault_forward,
	TP_PROTO(u32 dev_id, u64 cookie, u32 pasid, u32 grpid),
	TP_ARGS(dev_id, cookie, pasid, grpid),
	TP_STRUCT__entry(
		__field(u32, dev_id)
		__field(u64, cookie)
		__field(u32, pasid)
		__field(u32, grpid)
	),
	TP_fast_assign(
		__entry->dev_id = dev_id;
		__entry->cookie = cookie;
		__entry->pasid = pasid;
		__entry->grpid = grpid;
	),
	TP_printk("dev=%u cookie=%#llx pasid=%u grpid=%u", __entry->dev_id,
		  __entry->cookie, __entry->pasid, __entry->grpid)
);

/* The one response a group's hardware got, and how long it waited. */
TRACE_EVENT(iofault_response,
	TP_PROTO(u32 dev_id, u32 pasid, u32 grpid, u32 code, u32 end,
		 u64 latency_ns),
	TP_ARGS(dev_id, pasid, grpid, code, end, latency_ns),
	TP_STRUCT__entry(
		__field(u32, dev_id)
		__field(u32, pasid)
		__field(u32, grpid)
		__field(u32, code)
		__field(u32, end)
		__field(u64, latency_ns)
	),
	TP_fast_assign(
		__entry->dev_id = dev_id;
		__entry->pasid = pasid;
		__entry->grpid = grpid;
		__entry->code = code;
		__entry->end = end;
		__entry->latency_ns = latency_ns;
	),
	TP_printk("dev=%u pasid=%u grpid=%u code=%s by=%s latency_ns=%llu",
		  __entry->dev_id, __entry->pasid, __entry->grpid,
		  __print_symbolic(__entry->code,
				   { IOFAULT_RESP_SUCCESS, "success" },
				   { IOFAULT_RESP_INVALID, "invalid" },
				   { IOFAULT_RESP_FAILURE, "failure" }),
		  __print_symbolic(__entry->end,
				   { IOFAULT_END_RESPONSE, "response" },
				   { IOFAULT_END_TIMEOUT, "timeout" },
				   { IOFAULT_END_FLUSH, "flush" },
				   { IOFAULT_END_CLOSE, "close" },
				   { IOFAULT_END_QUOTA, "quota" },
				   { IOFAULT_END_DUPLICATE, "duplicate" }),
		  __entry->latency_ns)
);

/* A response refused, and why. */
TRACE_EVENT(iofault_reject,
	TP_PROTO(u32 dev_id, u64 cookie, u32 reason, int err),
	TP_ARGS(dev_id, cookie, reason, err),
	TP_STRUCT__entry(
		__field(u32, dev_id)
		__field(u64, cookie)
		__field(u32, reason)
		__field(int, err)
	),
	TP_fast_assign(
		__entry->dev_id = dev_id;
		__entry->cookie = cookie;
		__entry->reason = reason;
		__entry->err = err;
	),
	TP_printk("dev=%u cookie=%#llx reason=%s err=%d", __entry->dev_id,
		  __entry->cookie,
		  __print_symbolic(__entry->reason,
				   { IOFAULT_REJECT_UNKNOWN, "unknown" },
				   { IOFAULT_REJECT_DUPLICATE, "duplicate" },
				   { IOFAULT_REJECT_WRONG_PASID, "wrong_pasid" },
				   { IOFAULT_REJECT_WRONG_DEVICE, "wrong_device" },
				   { IOFAULT_REJECT_BAD_CODE, "bad_code" },
				   { IOFAULT_REJECT_TIMED_OUT, "timed_out" },
				   { IOFAULT_REJECT_REMOVED, "removed" },
				   { IOFAULT_REJECT_NOT_OWNER, "not_owner" },
				   { IOFAULT_REJECT_STALE, "stale" }),
		  __entry->err)
);

/* A group whose deadline passed, before it is answered with @code. */
TRACE_EVENT(iofault_timeout,
	TP_PROTO(u32 dev_id, u64 cookie, u32 pasid, u32 grpid, u32 code),
	TP_ARGS(dev_id, cookie, pasid, grpid, code),
	TP_STRUCT__entry(
		__field(u32, dev_id)
		__field(u64, cookie)
		__field(u32, pasid)
		__field(u32, grpid)
		__field(u32, code)
	),
	TP_fast_assign(
		__entry->dev_id = dev_id;
		__entry->cookie = cookie;
		__entry->pasid = pasid;
		__entry->grpid = grpid;
		__entry->code = code;
	),
	TP_printk("dev=%u cookie=%#llx pasid=%u grpid=%u code=%u",
		  __entry->dev_id, __entry->cookie, __entry->pasid,
		  __entry->grpid, __entry->code)
);

/* A policy ejected for misbehaving on a group of device @dev (@dev_id). */
TRACE_EVENT(iofault_eject,
	TP_PROTO(const char *policy, const char *dev, u32 dev_id, u32 kind,
		 s32 code, const char *msg),
	TP_ARGS(policy, dev, dev_id, kind, code, msg),
	TP_STRUCT__entry(
		__string(policy, policy)
		__field(u32, kind)
		__field(s32, code)
		__string(dev, dev)
		__field(u32, dev_id)
		__string(msg, msg)
	),
	TP_fast_assign(
		__assign_str(policy);
		__entry->kind = kind;
		__entry->code = code;
		__assign_str(dev);
		__entry->dev_id = dev_id;
		__assign_str(msg);
	),
	TP_printk("policy=%s kind=%u code=%d dev=%s dev_id=%u msg=%s",
		  __get_str(policy), __entry->kind, __entry->code,
		  __get_str(dev), __entry->dev_id, __get_str(msg))
);

#endif /* _IOFAULT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
