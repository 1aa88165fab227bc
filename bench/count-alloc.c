/*
 * count-alloc.c -- LD_PRELOAD allocator shim for the benchmark (issue #5):
 * counts heap allocation calls so that `make bench` can show that the
 * number of allocations does not grow with the number of packets.
 *
 *   LD_PRELOAD=bench/count-alloc.so COUNT_ALLOC_OUT=FILE portsleuth ...
 *
 * At exit it appends one line to FILE (or writes it to standard error):
 *
 *   count-alloc: malloc N calloc N realloc N memalign N free N
 *       requested BYTES peak_live BYTES
 *
 * "peak_live" is the most heap (malloc_usable_size) held at once. Calls are
 * forwarded to glibc's __libc_* entry points, which need no dlsym() (and so
 * no allocation while resolving). glibc routes its own internal allocations
 * (strdup, stdio buffers, reallocarray) through the interposed symbols, so
 * they are counted too. mmap()s made by libraries themselves are not.
 * Counters are atomic: threads are counted correctly.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef __GLIBC__
#error "count-alloc.c forwards to glibc's __libc_* allocator entry points"
#endif

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

/* Exported replacements (glibc manual, "Replacing malloc"). */
void *malloc(size_t n);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
void *memalign(size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
void *valloc(size_t n);
void *pvalloc(size_t n);

static uint64_t n_malloc, n_calloc, n_realloc, n_memalign, n_free;
static uint64_t requested, live, peak_live;

static void
count(uint64_t *counter, size_t n)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&requested, (uint64_t)n, __ATOMIC_RELAXED);
}

static void
gained(void *p)
{
	uint64_t now, peak;

	if (p == NULL)
		return;
	now =
	    __atomic_add_fetch(&live, malloc_usable_size(p), __ATOMIC_RELAXED);
	peak = __atomic_load_n(&peak_live, __ATOMIC_RELAXED);
	while (now > peak &&
	    !__atomic_compare_exchange_n(
		&peak_live, &peak, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void
lost(void *p)
{
	if (p != NULL)
		__atomic_sub_fetch(
		    &live, malloc_usable_size(p), __ATOMIC_RELAXED);
}

void *
malloc(size_t n)
{
	void *p = __libc_malloc(n);

	count(&n_malloc, n);
	gained(p);
	return p;
}

void *
calloc(size_t nmemb, size_t size)
{
	void *p = __libc_calloc(nmemb, size);

	count(&n_calloc, nmemb * size);
	gained(p);
	return p;
}

void *
realloc(void *old, size_t n)
{
	size_t had = old != NULL ? malloc_usable_size(old) : 0;
	void *p = __libc_realloc(old, n);

	count(&n_realloc, n);
	if (p != NULL || n == 0) {
		__atomic_sub_fetch(&live, (uint64_t)had, __ATOMIC_RELAXED);
		gained(p);
	}
	return p;
}

void
free(void *p)
{
	if (p == NULL)
		return;
	__atomic_add_fetch(&n_free, 1, __ATOMIC_RELAXED);
	lost(p);
	__libc_free(p);
}

void *
memalign(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	count(&n_memalign, n);
	gained(p);
	return p;
}

void *
aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	p = memalign(align, n);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *
valloc(size_t n)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *
pvalloc(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return memalign(pg, (n + pg - 1) / pg * pg);
}

/* Decimal without stdio (which may allocate). */
static size_t
put_u64(char *b, const char *label, uint64_t v)
{
	char d[24];
	size_t n = 0, i = 0, l = strlen(label);

	memcpy(b, label, l);
	do
		d[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0)
		b[l + n++] = d[--i];
	return l + n;
}

__attribute__((destructor)) static void
report(void)
{
	char line[512];
	const char *path = getenv("COUNT_ALLOC_OUT");
	size_t n = 0;
	int fd = 2;

	n += put_u64(line + n, "count-alloc: malloc ", n_malloc);
	n += put_u64(line + n, " calloc ", n_calloc);
	n += put_u64(line + n, " realloc ", n_realloc);
	n += put_u64(line + n, " memalign ", n_memalign);
	n += put_u64(line + n, " free ", n_free);
	n += put_u64(line + n, " requested ", requested);
	n += put_u64(line + n, " peak_live ", peak_live);
	line[n++] = '\n';
	if (path != NULL && *path != '\0')
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, n) < 0) {
		/* Nothing sensible to do at exit. */
	}
	if (fd != 2)
		close(fd);
}
