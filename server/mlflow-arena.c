/* mlflow-arena.c - a per-request arena for jansson's allocations in the MLflow calls: one bump pointer instead of thousands of malloc/free pairs. */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mlflow.h"

/*
 * A log-batch of 1000 metrics is some 8000 small jansson allocations to
 * parse and as many frees; perf put malloc and free at a third of the
 * server's time for it.  While a thread serves an MLflow call, jansson
 * allocates from that thread's arena (bump pointer, freeing is a no-op)
 * and the arena is emptied when the call ends.  Outside a call (other
 * routes, other threads) the functions fall through to malloc and free,
 * so other users of jansson in the process see nothing different.
 * Nothing jansson allocated during a call may outlive it: the reply text
 * is copied out of the arena (ml_arena_strdup).
 */

#define BLOCK (1u << 20)

struct blk {
	struct blk *next;
	size_t used, cap;
	max_align_t data[];
};

#define SPARES 16		/* blocks kept between calls, per thread */

static __thread struct blk *blocks;	/* in use, newest first */
static __thread struct blk *spare;	/* emptied, for the next ones: a
					 * block is mmap'ed memory, and an
					 * munmap per call costs a TLB
					 * shootdown on every CPU */
static __thread int nspare;
static __thread int active;

static void *
arena_malloc(size_t n)
{
	size_t need = (n + sizeof(max_align_t) - 1) /
	    sizeof(max_align_t) * sizeof(max_align_t);
	struct blk *b = blocks;

	if (!active)
		return malloc(n);
	if (b == NULL || b->cap - b->used < need) {
		size_t cap = need > BLOCK ? need : BLOCK;

		if (cap == BLOCK && spare) {
			b = spare;
			spare = b->next;
			nspare--;
		} else if ((b = malloc(sizeof *b + cap)) == NULL) {
			return NULL;
		}
		b->used = 0;
		b->cap = cap;
		b->next = blocks;
		blocks = b;
	}
	b->used += need;
	return (char *)b->data + b->used - need;
}

static int
in_arena(const void *p)
{
	for (const struct blk *b = blocks; b; b = b->next)
		if ((const char *)p >= (const char *)b->data &&
		    (const char *)p < (const char *)b->data + b->cap)
			return 1;
	return 0;
}

static void
arena_free(void *p)
{
	if (p == NULL)
		return;
	/* A pointer from before the call (or another thread) is malloc's. */
	if (active && in_arena(p))
		return;
	free(p);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static int have_key;

/* A pool thread's spare blocks, freed when it exits (the server's stop
 * joins them): LeakSanitizer counted them lost. */
static void
thread_exit(void *arg)
{
	(void)arg;
	active = 0;
	while (spare) {
		struct blk *b = spare;

		spare = b->next;
		free(b);
	}
	nspare = 0;
	while (blocks) {
		struct blk *b = blocks;

		blocks = b->next;
		free(b);
	}
}

static void
install(void)
{
	json_set_alloc_funcs(arena_malloc, arena_free);
	have_key = pthread_key_create(&exit_key, thread_exit) == 0;
}

void
ml_arena_begin(void)
{
	pthread_once(&once, install);
	/* (a non-NULL value makes the destructor run at the thread's exit) */
	if (have_key && pthread_getspecific(exit_key) == NULL)
		pthread_setspecific(exit_key, &exit_key);
	active = 1;
}

void
ml_arena_end(void)
{
	active = 0;
	while (blocks) {
		struct blk *b = blocks;

		blocks = b->next;
		/* (one that a huge body made bigger than a block goes) */
		if (b->cap == BLOCK && nspare < SPARES) {
			b->next = spare;
			spare = b;
			nspare++;
		} else {
			free(b);
		}
	}
}

char *
ml_arena_strdup(char *s)
{
	json_malloc_t m;
	json_free_t f;
	char *copy;

	if (s == NULL)
		return NULL;
	copy = strdup(s);	/* malloc's own, for whoever frees it later */
	json_get_alloc_funcs(&m, &f);
	f(s);
	return copy;
}
