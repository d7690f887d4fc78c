/* bench-hq-ingest.c: how many sales per second HQ takes in while four tills push at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Four tills of one store, each with 5,000 queued sales (5 random lines each, cash, made through
 * the real sale path in an untimed setup over the past week's business days), are enrolled with an
 * in-process HQ serving HTTPS on loopback from its own thread. Then four threads, each with its own
 * till database and client, run till_sync_run () at the same instant; the figure is the sales
 * acknowledged per second from that instant until the last till has nothing pending. The HQ under
 * test is on a private PostgreSQL server (with fsync as the fixture sets it, printed beside the
 * figure); the same run into HQ on SQLite follows as a comparison, on copies of the same tills.
 */
#define G_LOG_DOMAIN "bench-hq-ingest"

#include "config.h"

#include <stdlib.h>

#include "sync-bench-util.h"
#include "till-pg-fixture.h"
#include "till-test-util.h"

#include "bench-util.h"

#define N_TILLS 4
#define SALES_PER_TILL 5000
#define N_SALES (N_TILLS * SALES_PER_TILL)
#define N_DAYS 7
#define LINES_PER_SALE 5
#define N_SKUS 2000
#define TARGET_SALES_PER_S 5000.0

/* What the threads share: a gate that opens once every till is ready. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  guint    n_ready;
  gboolean go;
} StartGate;

typedef struct
{
  StartGate *gate;
  char      *dir;
  guint      index;
  guint32    seed;
  gint64     finished_us;
  gint64     pending_after;
  GArray    *push_us;  /* each batch's round trip to HQ */
  gint64     build_us; /* time spent building batches */
  gint64     ack_us;   /* time spent applying acks */
  GError    *error;
} TillJob;

static gpointer
make_sales_thread (gpointer data)
{
  TillJob         *job = data;
  g_autofree char *till_id = g_strdup_printf ("S001-%02u", job->index + 1);

  if (bench_till_create (job->dir, till_id, N_SKUS, &job->error))
    bench_till_make_sales (job->dir, SALES_PER_TILL, N_DAYS, LINES_PER_SALE, job->seed,
                           &job->error);
  return NULL;
}

static void
gate_arrive_and_wait (StartGate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->n_ready++;
  g_cond_broadcast (&gate->cond);
  while (!gate->go)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
}

/* One till: its own store, journal and client, opened before the gate; then
 * the steps of till_sync_run ()'s push loop (build a batch, push it, apply
 * the ack) until nothing is pending, each step timed. */
static gpointer
push_thread (gpointer data)
{
  TillJob *job = data;
  g_autoptr (BenchTill) till = bench_till_open (job->dir, &job->error);
  g_autoptr (TillSyncIdentity) identity = NULL;

  if (till != NULL)
    identity = till_sync_identity_load (till->store, &job->error);
  /* Arrive even on failure, so that the others are not left waiting. */
  gate_arrive_and_wait (job->gate);
  if (identity == NULL)
    return NULL;

  while (TRUE)
    {
      g_autoptr (TillSyncBatch) batch = NULL;
      g_autoptr (TillWireAck) ack = NULL;
      gboolean progress = FALSE;
      gint64   step_us = g_get_monotonic_time ();
      gint64   push_us;

      batch = till_sync_build_batch (till->store, till->journal, identity, g_get_real_time (),
                                     &job->error);
      if (batch == NULL)
        break; /* nothing pending, or an error */
      job->build_us += g_get_monotonic_time () - step_us;

      step_us = g_get_monotonic_time ();
      ack = till_sync_client_push (till->client, batch->body, batch->signature, batch->key,
                                   &job->error);
      if (ack == NULL)
        return NULL;
      push_us = g_get_monotonic_time () - step_us;
      g_array_append_val (job->push_us, push_us);

      step_us = g_get_monotonic_time ();
      if (!till_sync_apply_ack (till->store, identity, batch, ack, g_get_real_time (), &progress,
                                &job->error))
        return NULL;
      job->ack_us += g_get_monotonic_time () - step_us;
      if (!progress)
        {
          g_set_error (&job->error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "HQ stopped acknowledging at seq %" G_GINT64_FORMAT, ack->acked_through);
          return NULL;
        }
    }
  if (job->error != NULL)
    return NULL;
  job->finished_us = g_get_monotonic_time ();
  job->pending_after = bench_till_count_pending (till, &job->error);
  return NULL;
}

static gboolean
make_tills (char **seed_dirs, GError **error)
{
  TillJob  jobs[N_TILLS] = { { 0 } };
  GThread *threads[N_TILLS];
  gboolean ok = TRUE;

  /* Each thread has its own database, as each till does. */
  for (guint i = 0; i < N_TILLS; i++)
    {
      jobs[i].dir = seed_dirs[i];
      jobs[i].index = i;
      jobs[i].seed = 20240600 + i;
      threads[i] = g_thread_new ("bench-make-sales", make_sales_thread, &jobs[i]);
    }
  for (guint i = 0; i < N_TILLS; i++)
    {
      g_thread_join (threads[i]);
      if (jobs[i].error != NULL)
        {
          if (ok)
            g_propagate_prefixed_error (error, g_steal_pointer (&jobs[i].error),
                                        "till %u: ", i + 1);
          g_clear_error (&jobs[i].error);
          ok = FALSE;
        }
    }
  return ok;
}

/* Enrolls copies of the seed tills with HQ at @location and times the four
 * of them pushing at once. */
static gboolean
ingest_into (const char *work_dir,
             char      **seed_dirs,
             const char *location,
             const char *name,
             gboolean    is_target,
             GError    **error)
{
  g_autofree char *ca_dir = g_build_filename (work_dir, "hq-ca", NULL);
  g_autofree char *fsync_setting = NULL;
  g_autofree char *commit_setting = NULL;
  g_auto (GStrv) till_dirs = g_new0 (char *, N_TILLS + 1);
  TillJob   jobs[N_TILLS] = { { 0 } };
  GThread  *threads[N_TILLS] = { NULL };
  StartGate gate = { 0 };
  BenchHq  *hq = NULL;
  gboolean  ok = FALSE;
  gint64    started_us;
  gint64    finished_us = 0;
  gint64    at_hq;
  double    seconds;
  g_autoptr (GArray) push_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 build_us = 0;
  gint64 ack_us = 0;
  gint64 hq_cpu_us = -1;
  gint64 backend_cpu_us = -1;
  double hq_us_per_sale;
  double backend_us_per_sale = 0;

  hq = bench_hq_start (location, ca_dir, error);
  if (hq == NULL)
    return FALSE;
  for (guint i = 0; i < N_TILLS; i++)
    {
      g_autofree char *name_i = g_strdup_printf ("till-%u", i + 1);
      g_autofree char *token = NULL;

      till_dirs[i] = g_build_filename (work_dir, name_i, NULL);
      token = bench_hq_make_token (hq, "S001", i + 1, error);
      if (token == NULL || !bench_till_copy (seed_dirs[i], till_dirs[i], error) ||
          !bench_till_enroll (till_dirs[i], bench_hq_get_url (hq), token, error))
        goto out;
    }

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  for (guint i = 0; i < N_TILLS; i++)
    {
      jobs[i].gate = &gate;
      jobs[i].dir = till_dirs[i];
      jobs[i].index = i;
      jobs[i].pending_after = -1;
      jobs[i].push_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[i] = g_thread_new ("bench-till", push_thread, &jobs[i]);
    }
  g_mutex_lock (&gate.lock);
  while (gate.n_ready < N_TILLS)
    g_cond_wait (&gate.cond, &gate.lock);
  hq_cpu_us = bench_hq_get_thread_cpu_us (hq);
  backend_cpu_us = bench_hq_get_backend_cpu_us (hq);
  started_us = g_get_monotonic_time ();
  gate.go = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);

  ok = TRUE;
  for (guint i = 0; i < N_TILLS; i++)
    {
      g_thread_join (threads[i]);
      if (jobs[i].error != NULL)
        {
          if (ok)
            g_propagate_prefixed_error (error, g_steal_pointer (&jobs[i].error),
                                        "till %u: ", i + 1);
          g_clear_error (&jobs[i].error);
          ok = FALSE;
        }
      else if (jobs[i].pending_after != 0 && ok)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "till %u still queues %" G_GINT64_FORMAT " documents after its sync run",
                       i + 1, jobs[i].pending_after);
          ok = FALSE;
        }
      finished_us = MAX (finished_us, jobs[i].finished_us);
      g_array_append_vals (push_us, jobs[i].push_us->data, jobs[i].push_us->len);
      build_us += jobs[i].build_us;
      ack_us += jobs[i].ack_us;
    }
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  if (!ok)
    goto out;
  seconds = (finished_us - started_us) / (double) G_USEC_PER_SEC;
  hq_us_per_sale = (bench_hq_get_thread_cpu_us (hq) - hq_cpu_us) / (double) N_SALES;
  if (backend_cpu_us >= 0)
    backend_us_per_sale = (bench_hq_get_backend_cpu_us (hq) - backend_cpu_us) / (double) N_SALES;

  /* The figure counts only if every sale arrived, once. */
  ok = FALSE;
  at_hq = bench_hq_count_documents (hq, "sale", error);
  if (at_hq < 0)
    goto out;
  if (at_hq != N_SALES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "HQ holds %" G_GINT64_FORMAT " of %d sales", at_hq, N_SALES);
      goto out;
    }

  if (is_target)
    {
      fsync_setting = bench_hq_dup_pg_setting (hq, "fsync");
      commit_setting = bench_hq_dup_pg_setting (hq, "synchronous_commit");
      g_print ("bench: hq_ingest_%s_%dtills %.0f sales/s (target >= %.0f sales/s; PostgreSQL "
               "fsync=%s synchronous_commit=%s, as the test fixture sets them)\n",
               name, N_TILLS, N_SALES / seconds, TARGET_SALES_PER_S, fsync_setting, commit_setting);
    }
  else
    g_print ("bench: hq_ingest_%s_%dtills %.0f sales/s (comparison: HQ on SQLite, "
             "synchronous=FULL)\n",
             name, N_TILLS, N_SALES / seconds);
  g_print ("bench: hq_ingest_%s_%dtills_time %.2f s (%d sales)\n", name, N_TILLS, seconds, N_SALES);
  /* HQ serves one request at a time and waits for its database meanwhile, so
   * the CPU both spend per sale bound HQ's rate whatever else the machine
   * runs (TLS handshakes, on GLib's thread pool, are not counted). */
  if (backend_cpu_us >= 0)
    g_print ("bench: hq_ingest_%s_hq_cpu %.1f us/sale (HQ's serving thread %.1f + PostgreSQL "
             "backend %.1f)\n",
             name, hq_us_per_sale + backend_us_per_sale, hq_us_per_sale, backend_us_per_sale);
  else
    g_print ("bench: hq_ingest_%s_hq_cpu %.1f us/sale (HQ's serving thread, SQLite inside it)\n",
             name, hq_us_per_sale);
  g_print ("bench: hq_ingest_%s_cpu_bound_rate %.0f sales/s (1 / HQ CPU per sale: the rate with "
           "the CPUs to itself; load average %.1f on %u CPUs during this run)\n",
           name, G_USEC_PER_SEC / (hq_us_per_sale + backend_us_per_sale), bench_load_average (),
           g_get_num_processors ());
  /* Where a till's time goes: HQ's round trip against its own steps. */
  bench_sort (push_us);
  g_print ("bench: hq_ingest_%s_push_p50 %.1f ms (one batch of up to %d sales: till to HQ and "
           "back, %u batches)\n",
           name, bench_percentile (push_us, 0.50) / 1000.0, TILL_WIRE_BATCH_MAX_ITEMS,
           push_us->len);
  g_print ("bench: hq_ingest_%s_push_p99 %.1f ms\n", name,
           bench_percentile (push_us, 0.99) / 1000.0);
  g_print ("bench: hq_ingest_%s_till_build_mean %.1f ms (per batch, at the till)\n", name,
           build_us / 1000.0 / push_us->len);
  g_print ("bench: hq_ingest_%s_till_ack_mean %.1f ms (per batch, at the till)\n", name,
           ack_us / 1000.0 / push_us->len);
  ok = TRUE;

out:
  for (guint i = 0; i < N_TILLS; i++)
    g_clear_pointer (&jobs[i].push_us, g_array_unref);
  bench_hq_stop (hq);
  return ok;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pg_dir = NULL;
  g_autofree char *pg_location = NULL;
  g_autofree char *sqlite_dir = NULL;
  g_autofree char *sqlite_location = NULL;
  g_auto (GStrv) seed_dirs = g_new0 (char *, N_TILLS + 1);
  TillPgServer *pg = NULL;
  gint64        started_us;
  int           status = EXIT_FAILURE;

  (void) argc;
  (void) argv;
  /* The GnuTLS backend is the one Debian's glib-networking ships. */
  g_setenv ("GIO_USE_TLS", "gnutls", FALSE);

  dir = till_test_make_tmpdir ();
  pg_dir = g_build_filename (dir, "pg", NULL);
  sqlite_dir = g_build_filename (dir, "sqlite", NULL);
  sqlite_location = g_build_filename (sqlite_dir, "hq.db", NULL);
  if (g_mkdir_with_parents (pg_dir, 0700) != 0 || g_mkdir_with_parents (sqlite_dir, 0700) != 0)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make directories in %s", dir);
      goto out;
    }
  for (guint i = 0; i < N_TILLS; i++)
    {
      g_autofree char *name = g_strdup_printf ("seed-%u", i + 1);

      seed_dirs[i] = g_build_filename (dir, name, NULL);
      if (g_mkdir_with_parents (seed_dirs[i], 0700) != 0)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make %s", seed_dirs[i]);
          goto out;
        }
    }

  /* Start PostgreSQL first: it is what this bench is for. */
  pg = till_pg_server_start (&error);
  if (pg == NULL)
    goto out;
  pg_location = till_pg_server_create_database (pg, "ingest", &error);
  if (pg_location == NULL)
    goto out;

  started_us = g_get_monotonic_time ();
  if (!make_tills (seed_dirs, &error))
    goto out;
  g_printerr ("setup: %d tills x %d sales queued in %.1f s (not timed)\n", N_TILLS, SALES_PER_TILL,
              bench_seconds_since (started_us));

  if (!ingest_into (pg_dir, seed_dirs, pg_location, "pg", TRUE, &error) ||
      !ingest_into (sqlite_dir, seed_dirs, sqlite_location, "sqlite", FALSE, &error))
    goto out;
  status = EXIT_SUCCESS;

out:
  if (error != NULL)
    g_printerr ("bench-hq-ingest: %s\n", error->message);
  if (pg != NULL)
    till_pg_server_stop (pg);
  till_test_remove_tree (dir);
  return status;
}
