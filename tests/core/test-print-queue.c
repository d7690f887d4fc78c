/* test-print-queue.c: tests for src/core/till-print-queue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char      *scratch;
static char      *db_path;
static TillStore *store;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
}

/* Closes and opens the database again, as a restarted till does. */
static void
reopen (void)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&store);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
}

static GBytes *
bytes_of (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static gint64
enqueue (TillPrintJobKind kind, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) payload = bytes_of (text);
  gint64 id = till_print_queue_enqueue (store, kind, NULL, payload, &error);

  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  return id;
}

/* Takes the next job as a worker would, checking it is @expected_id. */
static TillPrintJob *
take_next (TillPrintQueueFilter filter, gint64 expected_id)
{
  g_autoptr (GError) error = NULL;
  TillPrintJob *job = NULL;

  ck_assert_msg (till_print_queue_next (store, filter, &job, &error), "%s",
                 error ? error->message : "");
  ck_assert_ptr_nonnull (job);
  ck_assert_int_eq (job->id, expected_id);
  ck_assert_int_eq (job->state, TILL_PRINT_JOB_QUEUED);
  ck_assert_msg (till_print_queue_mark_printing (store, job->id, &error), "%s",
                 error ? error->message : "");
  return job;
}

static void
assert_payload (const TillPrintJob *job, const char *text)
{
  gsize       size;
  const char *data = g_bytes_get_data (job->payload, &size);

  ck_assert_uint_eq (size, strlen (text));
  ck_assert (memcmp (data, text, size) == 0);
}

static gboolean
queue_is_empty (TillPrintQueueFilter filter)
{
  g_autoptr (TillPrintJob) job = NULL;

  ck_assert (till_print_queue_next (store, filter, &job, NULL));
  return job == NULL;
}

static gint64
count_rows (const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* /core/print-queue/order: jobs come out oldest first with their exact bytes,
 * and a printed job is not handed out again. */
START_TEST (test_order)
{
  g_autoptr (GError) error = NULL;
  gint64 first = enqueue (TILL_PRINT_JOB_RECEIPT, "first\x1b@\0bytes");
  gint64 second = enqueue (TILL_PRINT_JOB_TEST, "second");
  gint64 third = enqueue (TILL_PRINT_JOB_RECEIPT, "third");

  ck_assert_int_lt (first, second);
  ck_assert_int_lt (second, third);
  ck_assert_int_eq (till_print_queue_count_pending (store, NULL), 3);

  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, first);
    g_autoptr (TillPrintJob) stored = NULL;

    assert_payload (job, "first\x1b@\0bytes");
    ck_assert_int_eq (job->kind, TILL_PRINT_JOB_RECEIPT);
    ck_assert_int_gt (job->created_us, 0);
    ck_assert_int_eq (job->printed_us, 0);
    ck_assert (till_print_queue_mark_done (store, first, &error));
    stored = till_print_queue_get (store, first, &error);
    ck_assert_int_eq (stored->state, TILL_PRINT_JOB_DONE);
    ck_assert_int_eq (stored->attempts, 1);
    ck_assert_int_ge (stored->printed_us, stored->created_us);
  }
  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, second);

    assert_payload (job, "second");
    ck_assert_int_eq (job->kind, TILL_PRINT_JOB_TEST);
    ck_assert (till_print_queue_mark_done (store, second, &error));
  }
  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, third);

    ck_assert (till_print_queue_mark_done (store, third, &error));
  }
  ck_assert (queue_is_empty (TILL_PRINT_QUEUE_ANY));
  ck_assert_int_eq (till_print_queue_count_pending (store, NULL), 0);

  /* A done job cannot be marked done (or printing) again. */
  ck_assert (!till_print_queue_mark_printing (store, first, &error));
  ck_assert (g_error_matches (error, TILL_PRINT_QUEUE_ERROR, TILL_PRINT_QUEUE_ERROR_STATE));
  g_clear_error (&error);
  ck_assert (!till_print_queue_mark_done (store, 9999, &error));
  ck_assert (g_error_matches (error, TILL_PRINT_QUEUE_ERROR, TILL_PRINT_QUEUE_ERROR_NOT_FOUND));
}
END_TEST

/* /core/print-queue/failure-keeps-job: a failed attempt puts the job back at the
 * head of the queue with the reason; the next attempt is counted. */
START_TEST (test_failure_keeps_job)
{
  g_autoptr (GError) error = NULL;
  gint64 first = enqueue (TILL_PRINT_JOB_RECEIPT, "first");
  gint64 second = enqueue (TILL_PRINT_JOB_RECEIPT, "second");

  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, first);

    ck_assert (till_print_queue_mark_failed (store, job->id, "paper out", &error));
  }
  {
    g_autoptr (TillPrintJob) stored = till_print_queue_get (store, first, &error);
    g_autoptr (GPtrArray) pending = till_print_queue_list_pending (store, &error);

    ck_assert_int_eq (stored->state, TILL_PRINT_JOB_QUEUED);
    ck_assert_str_eq (stored->last_error, "paper out");
    ck_assert_int_eq (stored->attempts, 1);
    ck_assert_uint_eq (pending->len, 2);
    ck_assert_int_eq (((TillPrintJob *) pending->pdata[0])->id, first);
  }
  /* Still first in line: the receipts stay in the order they were sold. */
  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, first);

    ck_assert_int_eq (job->attempts, 1);
    ck_assert (till_print_queue_mark_done (store, job->id, &error));
  }
  {
    g_autoptr (TillPrintJob) stored = till_print_queue_get (store, first, &error);

    ck_assert_int_eq (stored->attempts, 2);
    ck_assert_int_eq (stored->state, TILL_PRINT_JOB_DONE);
  }
  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, second);
  }
}
END_TEST

/* /core/print-queue/restart: queued jobs and a job caught mid-print are there
 * after a restart; done jobs are not sent again. */
START_TEST (test_restart)
{
  g_autoptr (GError) error = NULL;
  gint64 done = enqueue (TILL_PRINT_JOB_RECEIPT, "done");
  gint64 interrupted = enqueue (TILL_PRINT_JOB_RECEIPT, "interrupted");
  gint64 waiting = enqueue (TILL_PRINT_JOB_RECEIPT, "waiting");

  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, done);
    ck_assert (till_print_queue_mark_done (store, done, &error));
  }
  {
    /* The till dies while this one is with the printer. */
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, interrupted);
  }

  reopen ();
  ck_assert_int_eq (till_print_queue_count_pending (store, NULL), 2);
  /* Until recovered, the interrupted job is not handed out twice. */
  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, waiting);
    ck_assert (till_print_queue_mark_failed (store, waiting, "offline", &error));
  }
  ck_assert_int_eq (till_print_queue_recover (store, &error), 1);
  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, interrupted);
    g_autoptr (TillPrintJob) stored = NULL;

    assert_payload (job, "interrupted");
    ck_assert_ptr_nonnull (job->last_error);
    ck_assert (till_print_queue_mark_done (store, interrupted, &error));
    stored = till_print_queue_get (store, interrupted, &error);
    ck_assert_int_eq (stored->attempts, 2);
  }
  {
    g_autoptr (TillPrintJob) job = take_next (TILL_PRINT_QUEUE_ANY, waiting);
    ck_assert (till_print_queue_mark_done (store, waiting, &error));
  }
  ck_assert (queue_is_empty (TILL_PRINT_QUEUE_ANY));
  ck_assert_int_eq (till_print_queue_recover (store, &error), 0);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM print_job WHERE state = 'done'"), 3);
}
END_TEST

/* /core/print-queue/copy: a reprint is its own 'copy' job for the same sale. */
START_TEST (test_copy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) copy_bytes = bytes_of ("COPY");
  g_autoptr (TillPrintJob) job = NULL;
  gint64 original = enqueue (TILL_PRINT_JOB_RECEIPT, "original");
  gint64 copy;

  {
    g_autoptr (TillPrintJob) taken = take_next (TILL_PRINT_QUEUE_ANY, original);
    ck_assert (till_print_queue_mark_done (store, original, &error));
  }
  copy = till_print_queue_enqueue (store, TILL_PRINT_JOB_COPY, NULL, copy_bytes, &error);
  ck_assert_msg (copy > original, "%s", error ? error->message : "");
  job = take_next (TILL_PRINT_QUEUE_ANY, copy);
  ck_assert_int_eq (job->kind, TILL_PRINT_JOB_COPY);
  assert_payload (job, "COPY");
  ck_assert_str_eq (till_print_job_kind_to_string (job->kind), "copy");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM print_job WHERE kind = 'copy'"), 1);
}
END_TEST

/* /core/print-queue/sale-with-drawer: a cash sale's receipt, its drawer pulse
 * and the drawer_event are written together; the drawer lane and the paper lane
 * are served apart. */
START_TEST (test_sale_with_drawer)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) receipt = bytes_of ("receipt");
  g_autoptr (GBytes) kick = bytes_of ("\x1bp\x00\x19\xfa");
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (TillPrintJob) paper = NULL;
  g_autoptr (TillPrintJob) drawer = NULL;
  const char *uuid = "00000000-0000-4000-8000-000000000001";
  gint64      receipt_job = 0;
  gint64      drawer_job = 0;

  /* print_job.sale_uuid refers to the sale: a sale row is needed. */
  ck_assert (till_store_exec (store,
                              "INSERT INTO journal VALUES (1, 'sale', NULL, 0, x'', x'', x'', "
                              "x'', x'');"
                              "INSERT INTO sale (uuid, receipt_no, till_id, business_day, "
                              "created_us, cashier_id, cashier_code, cashier_name, subtotal, "
                              "rounding, total, item_count, journal_seq) "
                              "VALUES ('00000000-0000-4000-8000-000000000001', 1,"
                              " 'T01', '2026-11-22', 0, NULL, '1001', '张三', 100, 0, 100, 1, 1)",
                              &error));
  ck_assert_msg (till_print_queue_enqueue_sale (store, uuid, receipt, kick, "1001", &receipt_job,
                                                &drawer_job, &error),
                 "%s", error ? error->message : "");
  ck_assert_int_gt (drawer_job, 0);
  ck_assert_int_gt (receipt_job, drawer_job);
  ck_assert (!till_store_in_transaction (store));

  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 1);
  ck_assert_int_eq (((TillDrawerEvent *) events->pdata[0])->reason, TILL_DRAWER_REASON_SALE);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->ref_uuid, uuid);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->user_code, "1001");

  /* The drawer's pulse comes first in one lane; the paper lane skips it. */
  paper = take_next (TILL_PRINT_QUEUE_PAPER_ONLY, receipt_job);
  ck_assert_str_eq (paper->sale_uuid, uuid);
  drawer = take_next (TILL_PRINT_QUEUE_DRAWER_ONLY, drawer_job);
  ck_assert_int_eq (drawer->kind, TILL_PRINT_JOB_DRAWER);
  assert_payload (drawer, "\x1bp\x00\x19\xfa");
  ck_assert (queue_is_empty (TILL_PRINT_QUEUE_ANY));

  /* A card sale (no drawer) writes no drawer_event. */
  ck_assert (
      till_print_queue_enqueue_sale (store, uuid, receipt, NULL, "1001", NULL, NULL, &error));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event"), 1);
}
END_TEST

/* /core/print-queue/all-or-nothing: when the job cannot be written, the drawer
 * event is not written either (the drawer is never opened unrecorded). */
START_TEST (test_all_or_nothing)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) receipt = bytes_of ("receipt");
  g_autoptr (GBytes) kick = bytes_of ("kick");

  /* No such sale: the foreign key refuses the receipt job at commit. */
  ck_assert (!till_print_queue_enqueue_sale (store, "no-such-sale", receipt, kick, "1001", NULL,
                                             NULL, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert (!till_store_in_transaction (store));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event"), 0);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM print_job"), 0);
}
END_TEST

/* Records a bare return (with its journal row) for the refund jobs to name. */
static void
insert_return (const char *uuid)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = g_strdup_printf (
      "INSERT INTO journal VALUES (1, 'return', NULL, 0, x'', x'', x'', x'', x'');"
      "INSERT INTO sale_return (uuid, return_no, till_id, business_day, created_us,"
      "  cashier_code, cashier_name, reason, subtotal, refund_total, journal_seq)"
      " VALUES ('%s', 1, 'T01', '2026-11-22', 0, '1001', '张三', 'changed-mind', 350, 350, 1)",
      uuid);

  ck_assert_msg (till_store_exec (store, sql, &error), "%s", error ? error->message : "");
}

/* /core/print-queue/refund-with-drawer: a cash refund's slip, its drawer pulse
 * and the drawer_event (reason "refund", naming the return) are written
 * together; both jobs name the return, not a sale. */
START_TEST (test_refund_with_drawer)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) slip = bytes_of ("refund slip");
  g_autoptr (GBytes) kick = bytes_of ("\x1bp\x00\x19\xfa");
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (TillPrintJob) paper = NULL;
  g_autoptr (TillPrintJob) drawer = NULL;
  const char *uuid = "00000000-0000-4000-8000-0000000000r1";
  gint64      slip_job = 0;
  gint64      drawer_job = 0;

  insert_return (uuid);
  ck_assert_msg (till_print_queue_enqueue_refund (store, uuid, slip, kick, "1001", &slip_job,
                                                  &drawer_job, &error),
                 "%s", error ? error->message : "");
  ck_assert_int_gt (drawer_job, 0);
  ck_assert_int_gt (slip_job, drawer_job);
  ck_assert (!till_store_in_transaction (store));

  events = till_drawer_list_events (store, 0, &error);
  ck_assert_msg (events != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (events->len, 1);
  ck_assert_int_eq (((TillDrawerEvent *) events->pdata[0])->reason, TILL_DRAWER_REASON_REFUND);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->ref_uuid, uuid);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->user_code, "1001");
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event WHERE reason = 'refund'"), 1);

  /* The slip goes to the paper lane as kind "refund", the pulse to the drawer's. */
  paper = take_next (TILL_PRINT_QUEUE_PAPER_ONLY, slip_job);
  ck_assert_int_eq (paper->kind, TILL_PRINT_JOB_REFUND);
  ck_assert_str_eq (till_print_job_kind_to_string (paper->kind), "refund");
  ck_assert_ptr_null (paper->sale_uuid);
  ck_assert_str_eq (paper->return_uuid, uuid);
  assert_payload (paper, "refund slip");
  drawer = take_next (TILL_PRINT_QUEUE_DRAWER_ONLY, drawer_job);
  ck_assert_int_eq (drawer->kind, TILL_PRINT_JOB_DRAWER);
  ck_assert_str_eq (drawer->return_uuid, uuid);
  ck_assert (queue_is_empty (TILL_PRINT_QUEUE_ANY));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM print_job WHERE kind = 'refund' AND "
                                "return_uuid = '00000000-0000-4000-8000-0000000000r1'"),
                    1);

  /* A copy keeps its return through till_print_job_copy(). */
  {
    g_autoptr (TillPrintJob) copy = till_print_job_copy (paper);

    ck_assert_str_eq (copy->return_uuid, uuid);
  }

  /* An exchange that pays nothing out in cash: the slip only, no drawer_event. */
  ck_assert (till_print_queue_enqueue_refund (store, uuid, slip, NULL, "1001", NULL, NULL, &error));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event"), 1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM print_job WHERE kind = 'refund'"), 2);
}
END_TEST

/* /core/print-queue/refund-all-or-nothing: a slip for a return that does not
 * exist is refused, and the drawer event and pulse with it. */
START_TEST (test_refund_all_or_nothing)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) slip = bytes_of ("refund slip");
  g_autoptr (GBytes) kick = bytes_of ("kick");

  ck_assert (!till_print_queue_enqueue_refund (store, "no-such-return", slip, kick, "1001", NULL,
                                               NULL, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert (!till_store_in_transaction (store));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event"), 0);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM print_job"), 0);
}
END_TEST

/* /core/print-queue/give-up: a job given up stays in the table as failed and
 * is never handed out again. */
START_TEST (test_give_up)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrintJob) stored = NULL;
  gint64 id = enqueue (TILL_PRINT_JOB_DRAWER, "kick");

  ck_assert (till_print_queue_give_up (store, id, "too late", &error));
  ck_assert (queue_is_empty (TILL_PRINT_QUEUE_ANY));
  ck_assert_int_eq (till_print_queue_count_pending (store, NULL), 0);
  stored = till_print_queue_get (store, id, &error);
  ck_assert_int_eq (stored->state, TILL_PRINT_JOB_FAILED);
  ck_assert_str_eq (stored->last_error, "too late");
  ck_assert_int_eq (stored->attempts, 0);
}
END_TEST

static Suite *
print_queue_suite (void)
{
  Suite *suite = suite_create ("/core/print-queue");
  TCase *tcase = tcase_create ("/core/print-queue");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_order);
  tcase_add_test (tcase, test_failure_keeps_job);
  tcase_add_test (tcase, test_restart);
  tcase_add_test (tcase, test_copy);
  tcase_add_test (tcase, test_sale_with_drawer);
  tcase_add_test (tcase, test_all_or_nothing);
  tcase_add_test (tcase, test_give_up);
  tcase_add_test (tcase, test_refund_with_drawer);
  tcase_add_test (tcase, test_refund_all_or_nothing);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (print_queue_suite ());
}
