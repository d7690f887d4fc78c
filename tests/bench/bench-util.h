/* bench-util.h: what every benchmark measures with: a monotonic clock in
 * nanoseconds and nearest-rank percentiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CLOCK_MONOTONIC in nanoseconds. */
gint64 bench_now_ns (void);
/* Sorts samples (gint64, any unit) in place, ascending. */
void bench_sort (GArray *samples);
/* The nearest-rank percentile (@fraction 0.5 = p50, 0.99 = p99) of sorted
 * samples, in their own unit; 0 when there are none. */
gint64 bench_percentile (GArray *sorted, double fraction);

G_END_DECLS
