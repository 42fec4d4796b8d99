/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the subset of the kernel's doubly linked lists and hash
 * lists that the tracker uses, with the same semantics.
 */
#ifndef _SHIM_LINUX_LIST_H
#define _SHIM_LINUX_LIST_H

#include <stddef.h>

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline void shim_list_link(struct list_head *n, struct list_head *prev,
				  struct list_head *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void list_add(struct list_head *n, struct list_head *h)
{
	shim_list_link(n, h, h->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	shim_list_link(n, h->prev, h);
}

static inline void shim_list_unlink(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static inline void list_del_init(struct list_head *n)
{
	shim_list_unlink(n);
	INIT_LIST_HEAD(n);
}

static inline void list_move(struct list_head *n, struct list_head *h)
{
	shim_list_unlink(n);
	list_add(n, h);
}

static inline void list_move_tail(struct list_head *n, struct list_head *h)
{
	shim_list_unlink(n);
	list_add_tail(n, h);
}

static inline int list_empty(const struct list_head *h)
{
	return h->next == h;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each_entry(pos, h, member)				\
	for (pos = list_first_entry(h, __typeof__(*pos), member);	\
	     &pos->member != (h); pos = list_next_entry(pos, member))

#define list_for_each_entry_safe(pos, n, h, member)			\
	for (pos = list_first_entry(h, __typeof__(*pos), member),	\
	     n = list_next_entry(pos, member);				\
	     &pos->member != (h); pos = n, n = list_next_entry(n, member))

struct hlist_node {
	struct hlist_node *next, **pprev;
};

struct hlist_head {
	struct hlist_node *first;
};

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	n->next = h->first;
	if (h->first)
		h->first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

static inline void hlist_del(struct hlist_node *n)
{
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
}

#define hlist_entry_safe(ptr, type, member) \
	((ptr) ? container_of(ptr, type, member) : NULL)

#define hlist_for_each_entry(pos, h, member)					\
	for (pos = hlist_entry_safe((h)->first, __typeof__(*pos), member);	\
	     pos; pos = hlist_entry_safe(pos->member.next, __typeof__(*pos), member))

#define hlist_for_each_entry_safe(pos, n, h, member)				\
	for (pos = hlist_entry_safe((h)->first, __typeof__(*pos), member);	\
	     pos && ({ n = pos->member.next; 1; });				\
	     pos = hlist_entry_safe(n, __typeof__(*pos), member))

#endif
