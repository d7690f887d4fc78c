/* bench-sync-drain.c: how long a till takes to drain a week of queued sales into HQ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A till that sold offline for 7 days × 1,500 sales (5 random lines each, cash, made through the
 * real sale path in an untimed setup and spread over the business days of the past week) is
 * enrolled with an in-process HQ serving HTTPS on loopback from its own thread. The figure is the
 * time till_sync_run () takes, pushing signed batches and applying HQ's countersigned acks (at
 * synchronous=FULL) until nothing is pending, then pulling master data. It runs twice on copies of
 * the same till: into HQ on SQLite (a single store) and into HQ on a private PostgreSQL server (a
 * chain), so both figures come from one run. The scratch files live in $TMPDIR.
 */
#define G_LOG_DOMAIN "bench-sync-drain"

#include "config.h"

#include <stdlib.h>

#include "sync-bench-util.h"
#include "till-pg-fixture.h"
#include "till-test-util.h"

#define N_DAYS 7
#define SALES_PER_DAY 1500
#define N_SALES (N_DAYS * SALES_PER_DAY)
#define LINES_PER_SALE 5
#define N_SKUS 2000
#define TARGET_S 10.0

/* Drains a copy of the till in @seed_dir into HQ at @location; @suffix names
 * the figures ("" for SQLite, "_pg" for PostgreSQL). */
static gboolean
drain_into (const char *work_dir,
            const char *seed_dir,
            const char *location,
            const char *suffix,
            const char *what,
            GError    **error)
{
  g_autofree char *ca_dir = g_build_filename (work_dir, "hq-ca", NULL);
  g_autofree char *till_dir = g_build_filename (work_dir, "till", NULL);
  g_autofree char *token = NULL;
  g_autoptr (BenchTill) till = NULL;
  BenchHq *hq = NULL;
  gboolean ok = FALSE;
  guint    pushed = 0;
  gint64   pending;
  gint64   at_hq;
  gint64   receipts = 0;
  guint    n_days = 0;
  gint64   started_us;
  double   seconds;

  hq = bench_hq_start (location, ca_dir, error);
  if (hq == NULL)
    return FALSE;
  token = bench_hq_make_token (hq, "S001", 1, error);
  if (token == NULL || !bench_till_copy (seed_dir, till_dir, error) ||
      !bench_till_enroll (till_dir, bench_hq_get_url (hq), token, error))
    goto out;
  till = bench_till_open (till_dir, error);
  if (till == NULL)
    goto out;
  pending = bench_till_count_pending (till, error);
  if (pending < 0)
    goto out;
  if (pending != N_SALES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the till queues %" G_GINT64_FORMAT " documents, not %d", pending, N_SALES);
      goto out;
    }

  started_us = g_get_monotonic_time ();
  if (!till_sync_run (till->store, till->journal, till->client, &pushed, error))
    goto out;
  seconds = bench_seconds_since (started_us);

  /* The figure counts only if everything arrived, once. */
  pending = bench_till_count_pending (till, error);
  if (pending < 0)
    goto out;
  at_hq = bench_hq_count_documents (hq, "sale", error);
  if (at_hq < 0)
    goto out;
  if (pending != 0 || at_hq != N_SALES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "after the drain %" G_GINT64_FORMAT " documents are still queued and HQ holds "
                   "%" G_GINT64_FORMAT " sales of %d (till_sync_run reported %u pushed)",
                   pending, at_hq, N_SALES, pushed);
      goto out;
    }

  /* HQ's roll-ups file the week under its seven business days. */
  if (!bench_hq_count_days (hq, &n_days, &receipts, error))
    goto out;
  if (n_days != N_DAYS || receipts != N_SALES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "HQ's roll-ups hold %" G_GINT64_FORMAT " receipts over %u business days, "
                   "not %d over %d",
                   receipts, n_days, N_SALES, N_DAYS);
      goto out;
    }

  g_print ("bench: sync_drain_%d%s %.2f s (target <= %.0f s; HQ on %s)\n", N_SALES, suffix, seconds,
           TARGET_S, what);
  g_print ("bench: sync_drain_rate%s %.0f sales/s\n", suffix, N_SALES / seconds);
  ok = TRUE;

out:
  g_clear_pointer (&till, bench_till_free);
  bench_hq_stop (hq);
  return ok;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *seed_dir = NULL;
  g_autofree char *sqlite_dir = NULL;
  g_autofree char *sqlite_location = NULL;
  g_autofree char *pg_dir = NULL;
  g_autofree char *pg_location = NULL;
  TillPgServer    *pg = NULL;
  gint64           started_us;
  int              status = EXIT_FAILURE;

  (void) argc;
  (void) argv;
  /* The GnuTLS backend is the one Debian's glib-networking ships. */
  g_setenv ("GIO_USE_TLS", "gnutls", FALSE);

  dir = till_test_make_tmpdir ();
  seed_dir = g_build_filename (dir, "seed", NULL);
  sqlite_dir = g_build_filename (dir, "sqlite", NULL);
  sqlite_location = g_build_filename (sqlite_dir, "hq.db", NULL);
  pg_dir = g_build_filename (dir, "pg", NULL);
  if (g_mkdir_with_parents (seed_dir, 0700) != 0 || g_mkdir_with_parents (sqlite_dir, 0700) != 0 ||
      g_mkdir_with_parents (pg_dir, 0700) != 0)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make directories in %s", dir);
      goto out;
    }

  started_us = g_get_monotonic_time ();
  if (!bench_till_create (seed_dir, "S001-01", N_SKUS, &error) ||
      !bench_till_make_sales (seed_dir, N_SALES, N_DAYS, LINES_PER_SALE, 20240607, &error))
    goto out;
  g_printerr ("setup: %d sales queued over %d days in %.1f s (not timed)\n", N_SALES, N_DAYS,
              bench_seconds_since (started_us));

  if (!drain_into (sqlite_dir, seed_dir, sqlite_location, "", "SQLite", &error))
    goto out;

  pg = till_pg_server_start (&error);
  if (pg == NULL)
    goto out;
  pg_location = till_pg_server_create_database (pg, "drain", &error);
  if (pg_location == NULL ||
      !drain_into (pg_dir, seed_dir, pg_location, "_pg", "PostgreSQL", &error))
    goto out;
  status = EXIT_SUCCESS;

out:
  if (error != NULL)
    g_printerr ("bench-sync-drain: %s\n", error->message);
  if (pg != NULL)
    till_pg_server_stop (pg);
  till_test_remove_tree (dir);
  return status;
}
