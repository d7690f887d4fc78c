/* sync-bench-util.h: what the sync benchmarks share: an in-process HQ on its
 * own thread, and tills with a backlog of real queued sales
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-hq-thread.h"
#include "till-sync.h"

G_BEGIN_DECLS

/* --- HQ ----------------------------------------------------------------------
 * opentill-hq's store, CA and HTTPS server on 127.0.0.1 at a free port,
 * serving on a thread of its own (tests/common/till-hq-thread.c, as the real
 * service serves on its main loop), so that the till's blocking client can
 * run on the bench's threads. */
typedef struct _BenchHq BenchHq;

/* @location: hq_db_open()'s (an SQLite path or a "pg:…" string); @hq_dir: a
 * directory for HQ's files (its CA goes in @hq_dir/ca). */
BenchHq    *bench_hq_start (const char *location, const char *hq_dir, GError **error);
const char *bench_hq_get_url (BenchHq *hq);
/* Stops serving, closes everything and joins the thread. */
void bench_hq_stop (BenchHq *hq);

/* Runs @func on HQ's thread (HqStore is one connection, used by one thread at a
 * time) and waits for it. */
typedef gboolean (*BenchHqFunc) (HqStore *store, gpointer user_data, GError **error);
gboolean bench_hq_call (BenchHq *hq, BenchHqFunc func, gpointer user_data, GError **error);

/* Creates store @store_id (once) and an enrollment token for its till
 * @till_no: "<secret>.<pin>", as store IT gets it. */
char *bench_hq_make_token (BenchHq *hq, const char *store_id, guint till_no, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
/* How many documents of @kind HQ holds (all tills). */
gint64 bench_hq_count_documents (BenchHq *hq, const char *kind, GError **error);
/* From HQ's roll-ups: how many business days hold sales, and how many
 * receipts they count together. */
gboolean bench_hq_count_days (BenchHq *hq, guint *out_days, gint64 *out_receipts, GError **error);
/* A PostgreSQL setting ("fsync", "synchronous_commit"), or "n/a" on SQLite. */
char *bench_hq_dup_pg_setting (BenchHq *hq, const char *name) G_GNUC_WARN_UNUSED_RESULT;

/* CPU time HQ's serving thread has used, and (on PostgreSQL) the CPU time of
 * its database backend process (-1 on SQLite, which runs inside that
 * thread), in µs. Wall-clock figures depend on what else the machine runs;
 * these do not. */
gint64 bench_hq_get_thread_cpu_us (BenchHq *hq);
gint64 bench_hq_get_backend_cpu_us (BenchHq *hq);

/* The machine's 1-minute load average and its number of CPUs, to print
 * beside wall-clock figures. */
double bench_load_average (void);

/* --- Tills -------------------------------------------------------------------
 * A till database in @dir (till.db, journal.key) with the demo catalog,
 * set up as till @till_id. */
gboolean bench_till_create (const char *dir, const char *till_id, guint n_skus, GError **error);
/* Makes @n_sales cash sales of @lines_per_sale random lines through the real
 * sale path (cart, journal, outbox), spread evenly over the business days of
 * the @n_days days before today (08:00 to 21:00 on each). Setup, not
 * measured: the database runs with synchronous=OFF meanwhile. */
gboolean bench_till_make_sales (const char *dir,
                                guint       n_sales,
                                guint       n_days,
                                guint       lines_per_sale,
                                guint32     seed,
                                GError    **error);
/* Copies the till's files (a closed database) from @from_dir to @to_dir. */
gboolean bench_till_copy (const char *from_dir, const char *to_dir, GError **error);
/* Enrolls the till in @dir with HQ (till_enroll). */
gboolean bench_till_enroll (const char *dir, const char *url, const char *token, GError **error);

/* An open, enrolled till ready to sync. */
typedef struct
{
  TillStore      *store;
  TillJournal    *journal;
  TillSyncClient *client;
} BenchTill;

BenchTill *bench_till_open (const char *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void       bench_till_free (BenchTill *till);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchTill, bench_till_free)

/* Documents still queued (not acknowledged by HQ), or -1 with @error. */
gint64 bench_till_count_pending (BenchTill *till, GError **error);

/* Seconds since @start_us (monotonic). */
double bench_seconds_since (gint64 start_us);

G_END_DECLS
