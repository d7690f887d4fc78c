/* bench-util.c: the clock and percentiles every benchmark uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <time.h>

#include "bench-util.h"

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

void
bench_sort (GArray *samples)
{
  g_array_sort (samples, compare_gint64);
}

gint64
bench_percentile (GArray *sorted, double fraction)
{
  guint rank;

  if (sorted->len == 0)
    return 0;
  /* Nearest rank: the smallest sample with at least @fraction of them at
   * or below it. */
  rank = (guint) ceil (fraction * sorted->len);
  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gint64, rank - 1);
}
