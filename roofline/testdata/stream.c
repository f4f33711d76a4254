/* A STREAM-style bandwidth reference for the roofline probe: copy, scale,
 * add and triad over double arrays far larger than the last-level cache,
 * OpenMP threads, best of NTIMES, bytes counted as STREAM does (no
 * write-allocate traffic). Written for this project.
 *
 * Build: gcc -O3 -fopenmp stream.c -o stream
 * Run:   OMP_NUM_THREADS=1 OMP_PROC_BIND=true ./stream [elements]
 */
#include <float.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define NTIMES 10

static double now(void) { return omp_get_wtime(); }

int main(int argc, char **argv) {
	long n = 1L << 26; /* 512 MiB per array, 1.5 GiB in all */
	if (argc > 1) {
		n = atol(argv[1]);
		if (n < 1024) {
			fprintf(stderr, "stream: element count %s too small\n", argv[1]);
			return 2;
		}
	}
	double *a = aligned_alloc(4096, n * sizeof(double));
	double *b = aligned_alloc(4096, n * sizeof(double));
	double *c = aligned_alloc(4096, n * sizeof(double));
	if (!a || !b || !c) {
		fprintf(stderr, "stream: cannot allocate 3 x %ld doubles\n", n);
		return 1;
	}
	/* First touch by the thread that later uses each chunk. */
#pragma omp parallel for schedule(static)
	for (long i = 0; i < n; i++) {
		a[i] = 1.0;
		b[i] = 2.0;
		c[i] = 0.0;
	}
	const double s = 3.0;
	double best[4] = {DBL_MAX, DBL_MAX, DBL_MAX, DBL_MAX};
	for (int k = 0; k < NTIMES; k++) {
		double t;
		t = now();
#pragma omp parallel for schedule(static)
		for (long i = 0; i < n; i++) c[i] = a[i];
		t = now() - t;
		if (k > 0 && t < best[0]) best[0] = t;
		t = now();
#pragma omp parallel for schedule(static)
		for (long i = 0; i < n; i++) b[i] = s * c[i];
		t = now() - t;
		if (k > 0 && t < best[1]) best[1] = t;
		t = now();
#pragma omp parallel for schedule(static)
		for (long i = 0; i < n; i++) c[i] = a[i] + b[i];
		t = now() - t;
		if (k > 0 && t < best[2]) best[2] = t;
		t = now();
#pragma omp parallel for schedule(static)
		for (long i = 0; i < n; i++) a[i] = b[i] + s * c[i];
		t = now() - t;
		if (k > 0 && t < best[3]) best[3] = t;
	}
	const char *names[4] = {"copy", "scale", "add", "triad"};
	const double words[4] = {2, 2, 3, 3};
	/* Check the arithmetic so the compiler's work is the real work. */
	double ea = 1.0, eb = 2.0, ec = 0.0;
	for (int k = 0; k < NTIMES; k++) {
		ec = ea;
		eb = s * ec;
		ec = ea + eb;
		ea = eb + s * ec;
	}
	if (a[n / 2] != ea || b[n / 3] != eb || c[n - 1] != ec) {
		fprintf(stderr, "stream: wrong results %g %g %g, want %g %g %g\n", a[n / 2], b[n / 3], c[n - 1], ea, eb, ec);
		return 1;
	}
	printf("threads %d elements %ld (%.0f MiB per array)\n", omp_get_max_threads(), n, n * 8.0 / (1 << 20));
	for (int j = 0; j < 4; j++)
		printf("%-6s %8.2f GB/s\n", names[j], words[j] * 8.0 * n / best[j] / 1e9);
	return 0;
}
