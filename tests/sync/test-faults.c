/* test-faults.c: sync under faults, with a set checker over every sale made
 *
 * Each case sells across a fault (a proxy that cuts, delays, throttles or
 * drops HQ's replies; the till or HQ killed mid-batch; batches replayed out
 * of order; a key reused with another payload; an item HQ cannot load),
 * drains cleanly, and then checks that every sale the tills made is at HQ
 * exactly once: it prints "faults: CASE made=N delivered=N lost=N
 * doubled=N" and asserts lost = doubled = 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-faults"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "till-pg-fixture.h"
#include "till-sync-test-util.h"
#include "till-test-util.h"

static TillPgServer *pg_server;

/* Random choices (kill moments, replay order) come from one seed, printed so
 * that a failing run can be repeated with OPENTILL_TEST_SEED. */
static GRand *
new_rand (void)
{
  const char *seed_text = g_getenv ("OPENTILL_TEST_SEED");
  guint32     seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10)
                                       : (guint32) g_get_real_time ();

  g_print ("faults: seed %u\n", seed);
  return g_rand_new_with_seed (seed);
}

typedef struct
{
  char          *scratch;
  TillTestHq    *hq;
  TillTestProxy *proxy; /* NULL when the till talks to HQ directly */
  TillTestTill  *till;
} Fixture;

/* HQ with store S001 (on PostgreSQL when @postgres), the proxy when
 * @with_proxy, and one till enrolled through it. */
static void
fixture_setup (Fixture *fx, gboolean postgres, gboolean with_proxy)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *location = NULL;
  g_autofree char *hq_dir = NULL;
  g_autofree char *till_dir = NULL;
  g_autofree char *token = NULL;

  fx->scratch = till_test_make_tmpdir ();
  hq_dir = g_build_filename (fx->scratch, "hq", NULL);
  till_dir = g_build_filename (fx->scratch, "till", NULL);
  g_mkdir_with_parents (hq_dir, 0700);
  if (postgres)
    {
      ck_assert_msg (pg_server != NULL, "no PostgreSQL server");
      g_autofree char *name = g_strdup_printf ("hq_faults_%d", (int) getpid ());

      location = till_pg_server_create_database (pg_server, name, &error);
      ck_assert_msg (location != NULL, "%s", error ? error->message : "");
    }
  fx->hq = till_test_hq_new (hq_dir, location, &error);
  ck_assert_msg (fx->hq != NULL, "%s", error ? error->message : "");
  ck_assert (hq_store_put_store (fx->hq->store, "S001", "上海徐汇店", NULL, &error));
  ck_assert_msg (till_test_hq_start (fx->hq, 0, &error), "%s", error ? error->message : "");
  if (with_proxy)
    {
      fx->proxy = till_test_proxy_start (fx->hq->port, &error);
      ck_assert_msg (fx->proxy != NULL, "%s", error ? error->message : "");
    }

  token = till_test_hq_token (fx->hq, "S001", 1);
  fx->till = till_test_till_new (till_dir, &error);
  ck_assert_msg (fx->till != NULL, "%s", error ? error->message : "");
  ck_assert_msg (
      till_test_till_enroll (fx->till, fx->proxy ? fx->proxy->url : fx->hq->url, token, &error),
      "%s", error ? error->message : "");
}

static void
fixture_teardown (Fixture *fx)
{
  till_test_till_close (fx->till);
  till_test_proxy_free (fx->proxy);
  till_test_hq_free (fx->hq);
  till_test_remove_tree (fx->scratch);
  g_free (fx->scratch);
}

/* Runs the set checker over @db_path, prints the case's line and asserts
 * nothing was lost or doubled. */
static void
check_and_print (Fixture *fx, const char *case_name, const char *db_path, gint64 expected_made)
{
  g_autoptr (GError) error = NULL;
  const char       *db_paths[] = { db_path };
  const char       *store_ids[] = { "S001" };
  TillTestSetResult result;

  ck_assert_msg (till_test_check_sets (fx->hq, db_paths, store_ids, 1, &result, &error), "%s",
                 error ? error->message : "");
  till_test_print_sets (case_name, &result);
  if (expected_made >= 0)
    ck_assert_int_eq (result.made, expected_made);
  ck_assert_int_gt (result.made, 0);
  ck_assert_int_eq (result.lost, 0);
  ck_assert_int_eq (result.doubled, 0);
  ck_assert_int_eq (result.unexpected, 0);
  ck_assert_int_eq (result.rollup_under, 0);
}

static gint64
acked_through (TillTestTill *till)
{
  g_autoptr (GError) error = NULL;
  gint64 acked = till_outbox_get_acked_through (till->store, &error);

  ck_assert_msg (acked >= 0, "%s", error ? error->message : "");
  return acked;
}

static gint64
hq_sales (Fixture *fx)
{
  g_autoptr (GError) error = NULL;
  gint64 held = hq_store_count_documents (fx->hq->store, "sale", NULL, &error);

  ck_assert_msg (held >= 0, "%s", error ? error->message : "");
  return held;
}

/* --- Network faults through the proxy -------------------------------------------
 * Sells @before sales in good weather, then @rounds rounds of @per_round
 * sales and a sync (timing out after @timeout_s) under @command, then drains
 * with the proxy passing everything. Returns how many rounds failed under the
 * fault and, in @out_fault_us, how long they took. */
static guint
run_network_case (Fixture    *fx,
                  const char *case_name,
                  const char *command,
                  guint       before,
                  guint       rounds,
                  guint       per_round,
                  guint       timeout_s,
                  gint64     *out_fault_us)
{
  g_autoptr (GError) error = NULL;
  guint  seed = 0;
  guint  failed = 0;
  gint64 fault_start;

  ck_assert_msg (till_test_till_sell (fx->till, before, seed, &error), "%s",
                 error ? error->message : "");
  seed += before;
  ck_assert_msg (till_test_till_sync (fx->till, 30, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (till_test_till_pending (fx->till), 0);

  ck_assert (till_test_proxy_set (fx->proxy, command));
  fault_start = g_get_monotonic_time ();
  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr (GError) sync_error = NULL;

      ck_assert_msg (till_test_till_sell (fx->till, per_round, seed, &error), "%s",
                     error ? error->message : "");
      seed += per_round;
      /* Under the fault a round may fail or succeed: either is right, as
       * long as what it reports is true. */
      if (!till_test_till_sync (fx->till, timeout_s, NULL, &sync_error))
        {
          g_print ("faults: %s round %u: %s\n", case_name, round, sync_error->message);
          failed++;
        }
    }
  if (out_fault_us != NULL)
    *out_fault_us = g_get_monotonic_time () - fault_start;

  ck_assert (till_test_proxy_set (fx->proxy, "pass"));
  ck_assert_msg (till_test_till_drain (fx->till, 20, &error), "%s", error ? error->message : "");
  check_and_print (fx, case_name, fx->till->db_path, before + rounds * per_round);
  return failed;
}

/* /sync/faults/network/cut: the proxy cuts HQ's replies part-way */
START_TEST (test_cut)
{
  Fixture fx = { 0 };

  fixture_setup (&fx, FALSE, TRUE);
  /* Every reply is cut: no round can succeed until the proxy passes. */
  ck_assert_uint_eq (run_network_case (&fx, "cut", "cut 900", 100, 6, 60, 10, NULL), 6);
  fixture_teardown (&fx);
}
END_TEST

/* /sync/faults/network/delay: replies come 2 s late to a till that waits 1 s */
START_TEST (test_delay)
{
  Fixture fx = { 0 };

  fixture_setup (&fx, FALSE, TRUE);
  ck_assert_uint_eq (run_network_case (&fx, "delay", "delay 2000", 100, 4, 60, 1, NULL), 4);
  fixture_teardown (&fx);
}
END_TEST

/* /sync/faults/network/throttle: 2 KB/s both ways; small rounds get through
 * slowly */
START_TEST (test_throttle)
{
  Fixture fx = { 0 };
  gint64  fault_us = 0;

  fixture_setup (&fx, FALSE, TRUE);
  ck_assert_uint_eq (run_network_case (&fx, "throttle", "throttle 2048", 200, 2, 3, 20, &fault_us),
                     0);
  /* Two rounds of TLS handshakes and requests are several KB each way. */
  g_print ("faults: throttle rounds took %.1f s\n", fault_us / 1e6);
  ck_assert_int_ge (fault_us, 2 * G_USEC_PER_SEC);
  fixture_teardown (&fx);
}
END_TEST

/* /sync/faults/network/drop-after-commit: HQ commits several batches whose
 * acks never arrive; the retries come back duplicate and converge */
START_TEST (test_drop_after_commit)
{
  g_autoptr (GError) error = NULL;
  Fixture fx = { 0 };
  gint64  held_during;
  gint64  acked_before;

  fixture_setup (&fx, FALSE, TRUE);
  ck_assert_msg (till_test_till_sell (fx.till, 50, 0, &error), "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_drain (fx.till, 10, &error), "%s", error ? error->message : "");
  acked_before = acked_through (fx.till);
  ck_assert_int_gt (acked_before, 0);

  ck_assert (till_test_proxy_set (fx.proxy, "drop"));
  ck_assert_msg (till_test_till_sell (fx.till, 600, 50, &error), "%s", error ? error->message : "");
  for (guint round = 0; round < 4; round++)
    {
      g_autoptr (GError) sync_error = NULL;

      ck_assert (!till_test_till_sync (fx.till, 10, NULL, &sync_error));
    }
  /* HQ took batches the till never heard about. */
  held_during = hq_sales (&fx);
  ck_assert_int_gt (held_during, 50);
  ck_assert_int_eq (acked_through (fx.till), acked_before);

  ck_assert (till_test_proxy_set (fx.proxy, "pass"));
  ck_assert_msg (till_test_till_drain (fx.till, 20, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (hq_sales (&fx), 650);
  check_and_print (&fx, "drop-after-commit", fx.till->db_path, 650);
  fixture_teardown (&fx);
}
END_TEST

/* --- Killing processes ------------------------------------------------------------ */

typedef struct
{
  GPid pid;
  int  stdout_fd;
} TillProcess;

static TillProcess
spawn_till (const char *dir, guint total, guint sync_every)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *total_text = g_strdup_printf ("%u", total);
  g_autofree char *every_text = g_strdup_printf ("%u", sync_every);
  const char *argv[] = { g_getenv ("OPENTILL_SYNC_TILL"), dir, total_text, every_text, "5", NULL };
  TillProcess proc = { 0 };

  ck_assert_msg (argv[0] != NULL, "OPENTILL_SYNC_TILL is not set");
  ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &proc.pid, NULL, &proc.stdout_fd, NULL,
                                           &error),
                 "%s", error ? error->message : "");
  return proc;
}

/* Waits for the till to exit; TRUE when it said "drained" and exited 0. */
static gboolean
wait_till (TillProcess *proc)
{
  gboolean drained = FALSE;
  int      status = 0;

  for (;;)
    {
      g_autofree char *line = till_test_read_line (proc->stdout_fd, 120000);

      if (line == NULL)
        break;
      if (g_str_equal (line, "drained"))
        drained = TRUE;
    }
  close (proc->stdout_fd);
  waitpid (proc->pid, &status, 0);
  if (!(drained && WIFEXITED (status) && WEXITSTATUS (status) == 0))
    g_print ("faults: the till ended with status 0x%x%s\n", (guint) status,
             drained ? " after draining" : ", not drained");
  return drained && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
kill_till (TillProcess *proc)
{
  int status;

  kill (proc->pid, SIGKILL);
  waitpid (proc->pid, &status, 0);
  close (proc->stdout_fd);
}

/* Reads the till's lines until its @nth "sync start" (or its end); FALSE
 * when it ended first. */
static gboolean
wait_for_sync_start (TillProcess *proc, guint nth, gboolean *out_drained)
{
  guint seen = 0;

  for (;;)
    {
      g_autofree char *line = till_test_read_line (proc->stdout_fd, 120000);

      if (line == NULL)
        return FALSE;
      if (g_str_equal (line, "drained"))
        *out_drained = TRUE;
      if (g_str_equal (line, "sync start") && ++seen == nth)
        return TRUE;
    }
}

/* /sync/faults/kill/till: the till process is SIGKILLed at random moments of
 * its sync rounds, restarted, a dozen times */
START_TEST (test_kill_till)
{
  g_autoptr (GRand) rng = new_rand ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  Fixture          fx = { 0 };
  /* Enough sales that twelve kills land before the till is done. */
  const guint total = 1600;
  guint       kills = 0;
  gboolean    drained = FALSE;

  fixture_setup (&fx, FALSE, FALSE);
  dir = g_strdup (fx.till->dir);
  /* The till process is the only one with the database open. */
  g_clear_pointer (&fx.till, till_test_till_close);

  while (kills < 12)
    {
      TillProcess proc = spawn_till (dir, total, 40);

      if (!wait_for_sync_start (&proc, g_rand_int_range (rng, 1, 3), &drained))
        {
          /* It finished before the moment came: nothing left to interrupt. */
          ck_assert_msg (wait_till (&proc) || drained, "the till failed on its own");
          break;
        }
      g_usleep ((gulong) g_rand_int_range (rng, 0, 250) * 1000);
      kill_till (&proc);
      kills++;
    }
  g_print ("faults: kill-till kills=%u\n", kills);
  ck_assert_uint_ge (kills, 10);

  /* The last run goes to the end undisturbed. */
  {
    TillProcess proc = spawn_till (dir, total, 40);

    ck_assert_msg (wait_till (&proc), "the till did not drain");
  }

  fx.till = till_test_till_open (dir, &error);
  ck_assert_msg (fx.till != NULL, "%s", error ? error->message : "");
  /* Every sale has its journal entry and its outbox row, and the chain holds. */
  ck_assert_int_eq (till_test_till_query_int (fx.till, "SELECT count(*) FROM sale", NULL), total);
  ck_assert_int_eq (
      till_test_till_query_int (fx.till, "SELECT count(*) FROM outbox WHERE kind = 'sale'", NULL),
      total);
  {
    gint64 bad_seq = 0;

    ck_assert_msg (till_journal_verify (fx.till->journal, &bad_seq, &error), "%s",
                   error ? error->message : "");
  }
  check_and_print (&fx, "kill-till", fx.till->db_path, total);
  fixture_teardown (&fx);
}
END_TEST

/* HQ killed (SIGKILL) while the till pushes, restarted on the same port and
 * data, several times. */
static void
run_kill_hq (gboolean postgres)
{
  g_autoptr (GRand) rng = new_rand ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  Fixture          fx = { 0 };
  const guint      total = 600;
  TillProcess      proc;
  guint            kills = 0;
  gboolean         drained = FALSE;
  guint            port;

  fixture_setup (&fx, postgres, FALSE);
  dir = g_strdup (fx.till->dir);
  g_clear_pointer (&fx.till, till_test_till_close);
  port = fx.hq->port;

  proc = spawn_till (dir, total, 40);
  for (kills = 0; kills < 5; kills++)
    {
      if (!wait_for_sync_start (&proc, 2, &drained))
        break;
      g_usleep ((gulong) g_rand_int_range (rng, 0, 200) * 1000);
      till_test_hq_kill (fx.hq);
      g_usleep (300000);
      ck_assert_msg (till_test_hq_start (fx.hq, port, &error), "%s", error ? error->message : "");
      ck_assert_uint_eq (fx.hq->port, port);
    }
  g_print ("faults: kill-hq kills=%u\n", kills);
  ck_assert_uint_ge (kills, 3);
  ck_assert_msg (wait_till (&proc) || drained, "the till did not drain");

  fx.till = till_test_till_open (dir, &error);
  ck_assert_msg (fx.till != NULL, "%s", error ? error->message : "");
  check_and_print (&fx, postgres ? "kill-hq-postgres" : "kill-hq", fx.till->db_path, total);
  fixture_teardown (&fx);
}

/* /sync/faults/kill/hq: opentill-hq SIGKILLed mid-batch and restarted */
START_TEST (test_kill_hq)
{
  run_kill_hq (FALSE);
}
END_TEST

/* /sync/faults/kill/hq-postgres: the same with HQ on PostgreSQL */
START_TEST (test_kill_hq_postgres)
{
  run_kill_hq (TRUE);
}
END_TEST

/* --- Replays and misuse ------------------------------------------------------------- */

/* A copy of HQ's roll-ups as one string, to compare before and after. */
static char *
rollups_text (Fixture *fx)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = hq_store_report_products (fx->hq->store, NULL, NULL, NULL, &error);
  GString *out = g_string_new (NULL);

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    g_string_append_printf (out, "%s %s %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                            hq_db_rows_get_text (rows, r, 0), hq_db_rows_get_text (rows, r, 1),
                            hq_db_rows_get_text (rows, r, 2), hq_db_rows_get_int (rows, r, 4),
                            hq_db_rows_get_int (rows, r, 5));
  return g_string_free (out, FALSE);
}

static gboolean
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize            len = 0;

  return g_file_get_contents (from, &contents, &len, NULL) &&
         g_file_set_contents (to, contents, (gssize) len, NULL);
}

/* Every batch of the till's queue, built from a copy of its database whose
 * queue is acknowledged locally after each one (so that the next batch
 * follows). */
static GPtrArray *
build_all_batches (Fixture *fx)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *copy_dir = g_build_filename (fx->scratch, "copy", NULL);
  g_autofree char *from_db = g_strdup (fx->till->db_path);
  g_autofree char *to_db = g_build_filename (copy_dir, "till.db", NULL);
  g_autofree char *from_key = g_strdup (fx->till->key_path);
  g_autofree char *to_key = g_build_filename (copy_dir, "journal.key", NULL);
  g_autofree char *till_dir = g_strdup (fx->till->dir);
  g_autoptr (TillSyncIdentity) identity = NULL;
  GPtrArray    *batches = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sync_batch_free);
  TillTestTill *copy;

  /* Closing the till checkpoints its WAL into till.db, which is then the
   * whole database. */
  g_clear_pointer (&fx->till, till_test_till_close);
  g_mkdir_with_parents (copy_dir, 0700);
  ck_assert (copy_file (from_db, to_db));
  ck_assert (copy_file (from_key, to_key));
  ck_assert_int_eq (g_chmod (to_key, 0600), 0);
  fx->till = till_test_till_open (till_dir, &error);
  ck_assert_msg (fx->till != NULL, "%s", error ? error->message : "");

  copy = till_test_till_open (copy_dir, &error);
  ck_assert_msg (copy != NULL, "%s", error ? error->message : "");
  identity = till_sync_identity_load (copy->store, &error);
  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");

  for (;;)
    {
      TillSyncBatch *batch =
          till_sync_build_batch (copy->store, copy->journal, identity, g_get_real_time (), &error);

      ck_assert_msg (batch != NULL || error == NULL, "%s", error ? error->message : "");
      if (batch == NULL)
        break;
      ck_assert_msg (till_outbox_apply_ack (copy->store, identity->epoch, batch->last_seq,
                                            batch->head_seq, batch->head_hash, "local", NULL, NULL,
                                            0, g_get_real_time (), &error),
                     "%s", error ? error->message : "");
      g_ptr_array_add (batches, batch);
    }
  till_test_till_close (copy);
  return batches;
}

static void
shuffle (GPtrArray *array, GRand *rng)
{
  for (guint i = array->len; i > 1; i--)
    {
      guint    j = (guint) g_rand_int_range (rng, 0, (gint32) i);
      gpointer tmp = array->pdata[i - 1];

      array->pdata[i - 1] = array->pdata[j];
      array->pdata[j] = tmp;
    }
}

/* Posts @batches in order; returns how many items came back duplicate. */
static guint
post_batches (Fixture *fx, GPtrArray *batches, guint *out_items)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = till_sync_client_new_for_store (fx->till->store, 30, &error);
  guint duplicates = 0;

  ck_assert_msg (client != NULL, "%s", error ? error->message : "");
  *out_items = 0;
  for (guint b = 0; b < batches->len; b++)
    {
      TillSyncBatch *batch = batches->pdata[b];
      g_autoptr (TillWireAck) ack =
          till_sync_client_push (client, batch->body, batch->signature, batch->key, &error);

      ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
      ck_assert_uint_eq (ack->items->len, batch->n_items);
      for (guint i = 0; i < ack->items->len; i++)
        {
          TillWireItemResult *result = &g_array_index (ack->items, TillWireItemResult, i);

          ck_assert_msg (result->status == TILL_WIRE_ITEM_OK ||
                             result->status == TILL_WIRE_ITEM_DUPLICATE,
                         "seq %" G_GINT64_FORMAT ": %s %s", result->seq,
                         till_wire_item_status_to_string (result->status),
                         result->reason ? result->reason : "");
          if (result->status == TILL_WIRE_ITEM_DUPLICATE)
            duplicates++;
          (*out_items)++;
        }
    }
  return duplicates;
}

/* /sync/faults/replay: batches posted out of order, then all of them again */
START_TEST (test_replay)
{
  g_autoptr (GRand) rng = new_rand ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) batches = NULL;
  g_autofree char *rollups_first = NULL;
  g_autofree char *rollups_second = NULL;
  Fixture          fx = { 0 };
  const guint      total = 700;
  guint            items = 0;
  guint            duplicates;

  fixture_setup (&fx, FALSE, FALSE);
  ck_assert_msg (till_test_till_sell (fx.till, total, 0, &error), "%s",
                 error ? error->message : "");
  batches = build_all_batches (&fx);
  ck_assert_uint_ge (batches->len, 3);

  shuffle (batches, rng);
  duplicates = post_batches (&fx, batches, &items);
  ck_assert_uint_eq (items, total);
  ck_assert_uint_eq (duplicates, 0);
  ck_assert_int_eq (hq_sales (&fx), total);
  rollups_first = rollups_text (&fx);

  shuffle (batches, rng);
  duplicates = post_batches (&fx, batches, &items);
  ck_assert_uint_eq (duplicates, total);
  ck_assert_int_eq (hq_sales (&fx), total);
  rollups_second = rollups_text (&fx);
  ck_assert_str_eq (rollups_second, rollups_first);

  /* The till's own next push (its queue is still all pending) is known
   * item by item, and the till then drains: HQ's mark, past the batch it
   * sent, covers rows it queued. */
  {
    g_autoptr (TillSyncIdentity) identity = till_sync_identity_load (fx.till->store, &error);
    g_autoptr (TillSyncBatch) own = NULL;
    g_autoptr (GPtrArray) own_batches = g_ptr_array_new ();

    ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
    own = till_sync_build_batch (fx.till->store, fx.till->journal, identity, g_get_real_time (),
                                 &error);
    ck_assert_msg (own != NULL, "%s", error ? error->message : "");
    g_ptr_array_add (own_batches, own);
    duplicates = post_batches (&fx, own_batches, &items);
    ck_assert_uint_eq (duplicates, own->n_items);
    ck_assert_int_eq (hq_sales (&fx), total);
  }
  ck_assert_msg (till_test_till_drain (fx.till, 20, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (hq_sales (&fx), total);
  check_and_print (&fx, "replay", fx.till->db_path, total);
  fixture_teardown (&fx);
}
END_TEST

/* /sync/faults/idempotency-misuse: the same key with another payload is a
 * conflict: the original stays, an incident is listed */
START_TEST (test_idempotency_misuse)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autoptr (TillSyncBatch) batch = NULL;
  g_autoptr (TillWireBatch) wire = NULL;
  g_autoptr (TillWireBatch) tampered = NULL;
  g_autoptr (TillSyncClient) client = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (GBytes) tampered_body = NULL;
  g_autoptr (HqDbRows) incidents = NULL;
  g_autofree char    *signature = NULL;
  g_autofree char    *key = NULL;
  g_autofree char    *rollups_before = NULL;
  g_autofree char    *rollups_after = NULL;
  Fixture             fx = { 0 };
  TillWireItem       *item;
  TillWireItemResult *result;
  gboolean            found = FALSE;

  fixture_setup (&fx, FALSE, FALSE);
  ck_assert_msg (till_test_till_sell (fx.till, 20, 0, &error), "%s", error ? error->message : "");
  identity = till_sync_identity_load (fx.till->store, &error);
  ck_assert_msg (identity != NULL, "%s", error ? error->message : "");
  batch = till_sync_build_batch (fx.till->store, fx.till->journal, identity, g_get_real_time (),
                                 &error);
  ck_assert_msg (batch != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_drain (fx.till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (hq_sales (&fx), 20);
  rollups_before = rollups_text (&fx);

  /* The first sale again, with the same kind, ref and seq but another
   * payload (its hash made to match, so HQ can load it). */
  wire = till_wire_batch_decode (batch->body, &error);
  ck_assert_msg (wire != NULL, "%s", error ? error->message : "");
  tampered = till_wire_batch_new (wire->till_id, wire->epoch);
  tampered->acked_base = wire->acked_base;
  tampered->sent_us = g_get_real_time ();
  tampered->head_seq = wire->head_seq;
  g_free (tampered->head_hash);
  tampered->head_hash = g_strdup (wire->head_hash);
  item = wire->items->pdata[0];
  {
    g_autofree char *payload = g_strdup_printf ("{\"tampered\":true,%s", item->payload + 1);
    g_autofree char *hash = till_wire_sha256_hex (payload, strlen (payload));

    g_ptr_array_add (tampered->items,
                     till_wire_item_new (item->seq, item->kind, item->ref_uuid, payload, hash));
  }
  tampered_body = till_wire_batch_encode (tampered);
  signature = till_journal_sign_base64 (fx.till->journal, tampered_body);
  key = till_wire_batch_key (tampered);

  client = till_sync_client_new_for_store (fx.till->store, 30, &error);
  ck_assert_msg (client != NULL, "%s", error ? error->message : "");
  ack = till_sync_client_push (client, tampered_body, signature, key, &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (ack->items->len, 1);
  result = &g_array_index (ack->items, TillWireItemResult, 0);
  ck_assert_int_eq (result->status, TILL_WIRE_ITEM_CONFLICT);
  ck_assert_ptr_nonnull (result->reason);

  /* The original is kept: one document with the original payload, roll-ups
   * unchanged. */
  ck_assert_int_eq (hq_sales (&fx), 20);
  {
    HqDbValue params[] = { HQ_DB_V_TEXT (item->ref_uuid) };
    g_autoptr (HqDbRows) rows =
        hq_db_query (hq_store_get_db (fx.hq->store),
                     "SELECT payload_sha256 FROM document WHERE kind = 'sale' AND ref_uuid = $1",
                     params, G_N_ELEMENTS (params), &error);

    ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
    ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
    ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 0), item->sha256);
  }
  rollups_after = rollups_text (&fx);
  ck_assert_str_eq (rollups_after, rollups_before);

  incidents = hq_store_list_incidents (fx.hq->store, 50, &error);
  ck_assert_msg (incidents != NULL, "%s", error ? error->message : "");
  for (guint r = 0; r < hq_db_rows_get_n_rows (incidents); r++)
    if (g_strcmp0 (hq_db_rows_get_text (incidents, r, 2), identity->till_id) == 0 &&
        strstr (hq_db_rows_get_text (incidents, r, 3), "conflict") != NULL)
      found = TRUE;
  ck_assert_msg (found, "no conflict incident listed");
  check_and_print (&fx, "idempotency-misuse", fx.till->db_path, 20);
  fixture_teardown (&fx);
}
END_TEST

/* An outbox row HQ cannot load: a kind it does not know, with a correct
 * hash. Returns its seq. */
static gint64
insert_poisoned_row (TillTestTill *till)
{
  static const char payload[] = "{\"mystery\":{\"what\":\"unknown\"}}";
  guint8            digest[32];
  gsize             digest_len = sizeof digest;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *uuid = g_uuid_string_random ();
  sqlite3         *db = till_store_get_db (till->store);
  sqlite3_stmt    *stmt = NULL;

  g_checksum_update (checksum, (const guchar *) payload, strlen (payload));
  g_checksum_get_digest (checksum, digest, &digest_len);
  ck_assert_int_eq (
      sqlite3_prepare_v2 (db,
                          "INSERT INTO outbox (kind, ref_uuid, payload, "
                          "payload_sha256, created_us) VALUES ('mystery', ?, ?, ?, ?)",
                          -1, &stmt, NULL),
      SQLITE_OK);
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, payload, (int) strlen (payload), SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, digest, (int) digest_len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);
  return sqlite3_last_insert_rowid (db);
}

/* /sync/faults/poisoned-item: the items after it are stored but not acked,
 * pull still works, and the till knows why */
START_TEST (test_poisoned_item)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) item = json_object_new ();
  g_autoptr (JsonArray) barcodes = json_array_new ();
  g_autoptr (GError) sync_error = NULL;
  g_autoptr (TillProduct) product = NULL;
  TillOutboxStats stats = { 0 };
  Fixture         fx = { 0 };
  gint64          poison_seq;

  fixture_setup (&fx, FALSE, FALSE);
  ck_assert_msg (till_test_till_sell (fx.till, 30, 0, &error), "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_drain (fx.till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (till_test_till_pending (fx.till), 0);

  ck_assert_msg (till_test_till_sell (fx.till, 10, 30, &error), "%s", error ? error->message : "");
  poison_seq = insert_poisoned_row (fx.till);
  ck_assert_int_gt (poison_seq, 40);
  ck_assert_msg (till_test_till_sell (fx.till, 10, 40, &error), "%s", error ? error->message : "");

  /* HQ has new master data for the till meanwhile. */
  json_object_set_string_member (item, "sku", "P100");
  json_object_set_string_member (item, "name", "金龙鱼大米 5kg");
  json_object_set_string_member (item, "unit", "袋");
  json_array_add_string_element (barcodes, "6948195800019");
  json_object_set_array_member (item, "barcodes", json_array_ref (barcodes));
  json_object_set_int_member (item, "vat_rate", 900);
  json_object_set_boolean_member (item, "weighed", FALSE);
  json_object_set_boolean_member (item, "active", TRUE);
  json_object_set_int_member (item, "cost", 3000);
  json_object_set_int_member (item, "price", 4590);
  json_object_set_int_member (item, "member_price", 0);
  ck_assert_msg (hq_store_put_row (fx.hq->store, "items", "P100", "all", item, &error), "%s",
                 error ? error->message : "");

  /* Two rounds: the second resends what the first stored past the gap. */
  for (guint round = 0; round < 2; round++)
    {
      g_clear_error (&sync_error);
      till_test_till_sync (fx.till, 30, NULL, &sync_error);
      if (sync_error != NULL)
        g_print ("faults: poisoned-item round %u: %s\n", round, sync_error->message);
    }

  /* Only the items after the poisoned one wait; HQ holds every sale once. */
  ck_assert_int_eq (acked_through (fx.till), poison_seq - 1);
  ck_assert_int_eq (till_test_till_pending (fx.till), 11);
  ck_assert_int_eq (hq_sales (&fx), 50);
  ck_assert_msg (till_outbox_get_stats (fx.till->store, &stats, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (stats.pending, 11);
  ck_assert_int_eq (stats.failing_seq, poison_seq);
  ck_assert_int_gt (stats.failing_since_us, 0);
  ck_assert_ptr_nonnull (stats.failing_reason);
  g_print ("faults: poisoned-item reason: %s\n", stats.failing_reason);
  till_outbox_stats_clear (&stats);

  /* The pull went through in spite of the blocked push. */
  product = till_catalog_lookup_barcode (fx.till->catalog, "6948195800019", &error);
  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_product_get_price (product), 4590);

  check_and_print (&fx, "poisoned-item", fx.till->db_path, 50);
  fixture_teardown (&fx);
}
END_TEST

/* /sync/faults/checker: the checker itself sees a sale HQ lacks and a sale
 * counted twice in the roll-ups (so that its zeros above mean something) */
START_TEST (test_checker)
{
  g_autoptr (GError) error = NULL;
  g_autofree char  *uuid = NULL;
  const char       *db_paths[1];
  const char       *store_ids[] = { "S001" };
  TillTestSetResult result;
  Fixture           fx = { 0 };

  fixture_setup (&fx, FALSE, FALSE);
  db_paths[0] = fx.till->db_path;
  ck_assert_msg (till_test_till_sell (fx.till, 10, 0, &error), "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_drain (fx.till, 10, &error), "%s", error ? error->message : "");
  ck_assert (till_test_check_sets (fx.hq, db_paths, store_ids, 1, &result, &error));
  ck_assert_int_eq (result.made, 10);
  ck_assert_int_eq (result.lost, 0);
  ck_assert_int_eq (result.doubled, 0);

  /* A sale that never went upstream is lost. */
  uuid = till_test_till_sell_sku (fx.till, "T001", &error);
  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");
  ck_assert (till_test_check_sets (fx.hq, db_paths, store_ids, 1, &result, &error));
  ck_assert_int_eq (result.made, 11);
  ck_assert_int_eq (result.delivered, 10);
  ck_assert_int_eq (result.lost, 1);
  ck_assert_int_eq (result.doubled, 0);

  /* Once delivered, a roll-up that counts a sale twice is doubling. */
  ck_assert_msg (till_test_till_drain (fx.till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (hq_db_execute (hq_store_get_db (fx.hq->store),
                                   "UPDATE sales_product_day SET quantity = quantity + 1000, "
                                   "amount = amount + 450 WHERE sku = 'T001'",
                                   NULL, 0, &error),
                    1);
  ck_assert (till_test_check_sets (fx.hq, db_paths, store_ids, 1, &result, &error));
  ck_assert_int_eq (result.lost, 0);
  ck_assert_int_eq (result.doubled, 1);
  fixture_teardown (&fx);
}
END_TEST

static Suite *
faults_suite (void)
{
  Suite *suite = suite_create ("sync/faults");
  TCase *tc;

  tc = tcase_create ("network");
  tcase_set_timeout (tc, 180);
  tcase_add_test (tc, test_cut);
  tcase_add_test (tc, test_delay);
  tcase_add_test (tc, test_throttle);
  tcase_add_test (tc, test_drop_after_commit);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("kill");
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_kill_till);
  tcase_add_test (tc, test_kill_hq);
  tcase_add_test (tc, test_kill_hq_postgres);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("replay");
  tcase_set_timeout (tc, 180);
  tcase_add_test (tc, test_replay);
  tcase_add_test (tc, test_idempotency_misuse);
  tcase_add_test (tc, test_poisoned_item);
  tcase_add_test (tc, test_checker);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;
  int served = till_test_hq_serve_main (argc, argv);

  if (served >= 0)
    return served;

  pg_server = till_pg_server_start (&error);
  if (pg_server == NULL)
    g_printerr ("PostgreSQL: %s\n", error->message);
  status = till_test_run_suite (faults_suite ());
  if (pg_server != NULL)
    till_pg_server_stop (pg_server);
  return status;
}
