/* till-print-queue.c: the durable print queue: receipts wait here until printed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-print-queue"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-drawer.h"
#include "till-print-queue.h"
#include "till-store.h"

#define JOB_COLUMNS \
  "id, sale_uuid, kind, payload, state, attempts, last_error, created_us, printed_us, return_uuid"

G_DEFINE_BOXED_TYPE (TillPrintJob, till_print_job, till_print_job_copy, till_print_job_free)

G_DEFINE_QUARK (till_print_queue_error_quark, till_print_queue_error)

static const char *const kind_names[] = { "receipt", "copy",   "drawer", "test",
                                          "refund",  "top-up", "report", "label" };
static const char *const state_names[] = { "queued", "printing", "done", "failed" };

static int
index_of (const char *const *names, guint n_names, const char *text)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (text, names[i]) == 0)
      return (int) i;
  return -1;
}

/* Reads one row selected with JOB_COLUMNS. */
static TillPrintJob *
job_from_row (sqlite3_stmt *stmt)
{
  TillPrintJob *job = g_new0 (TillPrintJob, 1);
  int           kind = index_of (kind_names, G_N_ELEMENTS (kind_names),
                                 (const char *) sqlite3_column_text (stmt, 2));
  int           state = index_of (state_names, G_N_ELEMENTS (state_names),
                                  (const char *) sqlite3_column_text (stmt, 4));

  /* The table's CHECK constraints keep unknown names out. */
  g_assert (kind >= 0 && state >= 0);
  job->id = sqlite3_column_int64 (stmt, 0);
  job->sale_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  job->kind = (TillPrintJobKind) kind;
  job->payload = g_bytes_new (sqlite3_column_blob (stmt, 3), sqlite3_column_bytes (stmt, 3));
  job->state = (TillPrintJobState) state;
  job->attempts = sqlite3_column_int (stmt, 5);
  job->last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  job->created_us = sqlite3_column_int64 (stmt, 7);
  job->printed_us = sqlite3_column_int64 (stmt, 8);
  job->return_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  return job;
}

/* @return_uuid (nullable): the return a refund slip or its drawer pulse is for. */
static gint64
insert_job (TillStore       *store,
            TillPrintJobKind kind,
            const char      *sale_uuid,
            const char      *return_uuid,
            GBytes          *payload,
            GError         **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gsize         size;
  gconstpointer data = g_bytes_get_data (payload, &size);

  stmt = till_store_prepare (store,
                             "INSERT INTO print_job (sale_uuid, kind, payload, created_us,"
                             "  return_uuid) VALUES (?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind_names[kind], -1, SQLITE_STATIC);
  /* An empty blob, not NULL, for an empty payload: the column is NOT NULL. */
  sqlite3_bind_blob64 (stmt, 3, data != NULL ? data : "", size, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  sqlite3_bind_text (stmt, 5, return_uuid, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (till_store_get_db (store));
}

/* Moves job @id from @from to @to; an error when it is not in state @from. */
static gboolean
change_state (TillStore        *store,
              gint64            id,
              TillPrintJobState from,
              TillPrintJobState to,
              const char       *message,
              GError          **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (
      store,
      "UPDATE print_job SET state = ?3,"
      "  attempts = attempts + (?3 = 'printing'),"
      "  last_error = CASE WHEN ?3 IN ('queued', 'failed') THEN ?4 ELSE last_error END,"
      "  printed_us = CASE WHEN ?3 = 'done' THEN ?5 ELSE printed_us END "
      "WHERE id = ?1 AND state = ?2",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, state_names[from], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, state_names[to], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, message, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (store)) == 0)
    {
      g_autoptr (TillPrintJob) job = till_print_queue_get (store, id, error);

      if (job == NULL)
        return FALSE;
      g_set_error (error, TILL_PRINT_QUEUE_ERROR, TILL_PRINT_QUEUE_ERROR_STATE,
                   "Print job %" G_GINT64_FORMAT " is %s, not %s", id, state_names[job->state],
                   state_names[from]);
      return FALSE;
    }
  return TRUE;
}

TillPrintJob *
till_print_job_copy (const TillPrintJob *job)
{
  TillPrintJob *copy;

  g_return_val_if_fail (job != NULL, NULL);

  copy = g_memdup2 (job, sizeof *job);
  copy->sale_uuid = g_strdup (job->sale_uuid);
  copy->payload = job->payload != NULL ? g_bytes_ref (job->payload) : NULL;
  copy->last_error = g_strdup (job->last_error);
  copy->return_uuid = g_strdup (job->return_uuid);
  return copy;
}

void
till_print_job_free (TillPrintJob *job)
{
  if (job == NULL)
    return;
  g_free (job->sale_uuid);
  g_clear_pointer (&job->payload, g_bytes_unref);
  g_free (job->last_error);
  g_free (job->return_uuid);
  g_free (job);
}

const char *
till_print_job_kind_to_string (TillPrintJobKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

const char *
till_print_job_state_to_string (TillPrintJobState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

/**
 * till_print_queue_enqueue:
 * Stores a job as queued, in the caller's transaction or its own.
 */
gint64
till_print_queue_enqueue (
    TillStore *store, TillPrintJobKind kind, const char *sale_uuid, GBytes *payload, GError **error)
{
  gboolean own_transaction;
  gint64   id;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), 0);
  g_return_val_if_fail (payload != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return 0;
  id = insert_job (store, kind, sale_uuid, NULL, payload, error);
  if (id == 0)
    {
      if (own_transaction)
        till_store_rollback (store);
      return 0;
    }
  if (own_transaction && !till_store_commit (store, error))
    return 0;
  return id;
}

/**
 * till_print_queue_enqueue_sale:
 * The drawer pulse goes in first (the cashier counts the change while the
 * receipt prints), then the receipt, with the drawer_event, in one transaction.
 */
gboolean
till_print_queue_enqueue_sale (TillStore  *store,
                               const char *sale_uuid,
                               GBytes     *receipt,
                               GBytes     *drawer_kick,
                               const char *user_code,
                               gint64     *out_receipt_job,
                               gint64     *out_drawer_job,
                               GError    **error)
{
  gint64 drawer_job = 0;
  gint64 receipt_job = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (sale_uuid != NULL, FALSE);
  g_return_val_if_fail (receipt != NULL || drawer_kick != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  if (drawer_kick != NULL)
    {
      drawer_job = insert_job (store, TILL_PRINT_JOB_DRAWER, sale_uuid, NULL, drawer_kick, error);
      if (drawer_job == 0 || till_drawer_record_open (store, TILL_DRAWER_REASON_SALE, sale_uuid,
                                                      user_code, error) == 0)
        {
          till_store_rollback (store);
          return FALSE;
        }
    }
  if (receipt != NULL)
    receipt_job = insert_job (store, TILL_PRINT_JOB_RECEIPT, sale_uuid, NULL, receipt, error);
  if (receipt != NULL && receipt_job == 0)
    {
      till_store_rollback (store);
      return FALSE;
    }
  if (!till_store_commit (store, error))
    return FALSE;

  if (out_receipt_job != NULL)
    *out_receipt_job = receipt_job;
  if (out_drawer_job != NULL)
    *out_drawer_job = drawer_job;
  return TRUE;
}

/**
 * till_print_queue_enqueue_refund:
 * As till_print_queue_enqueue_sale(): the drawer pulse first (the cashier
 * counts the cash out while the slip prints), then the slip the customer
 * signs, with the drawer_event, in one transaction.
 */
gboolean
till_print_queue_enqueue_refund (TillStore  *store,
                                 const char *return_uuid,
                                 GBytes     *slip,
                                 GBytes     *drawer_kick,
                                 const char *user_code,
                                 gint64     *out_slip_job,
                                 gint64     *out_drawer_job,
                                 GError    **error)
{
  gint64 drawer_job = 0;
  gint64 slip_job = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (return_uuid != NULL, FALSE);
  g_return_val_if_fail (slip != NULL || drawer_kick != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  if (drawer_kick != NULL)
    {
      drawer_job = insert_job (store, TILL_PRINT_JOB_DRAWER, NULL, return_uuid, drawer_kick, error);
      if (drawer_job == 0 || till_drawer_record_open (store, TILL_DRAWER_REASON_REFUND, return_uuid,
                                                      user_code, error) == 0)
        {
          till_store_rollback (store);
          return FALSE;
        }
    }
  if (slip != NULL)
    {
      slip_job = insert_job (store, TILL_PRINT_JOB_REFUND, NULL, return_uuid, slip, error);
      if (slip_job == 0)
        {
          till_store_rollback (store);
          return FALSE;
        }
    }
  if (!till_store_commit (store, error))
    return FALSE;

  if (out_slip_job != NULL)
    *out_slip_job = slip_job;
  if (out_drawer_job != NULL)
    *out_drawer_job = drawer_job;
  return TRUE;
}

/**
 * till_print_queue_next:
 * @out_job: (out) (transfer full) (nullable): the oldest queued job, or %NULL
 */
gboolean
till_print_queue_next (TillStore           *store,
                       TillPrintQueueFilter filter,
                       TillPrintJob       **out_job,
                       GError             **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_job != NULL, FALSE);

  *out_job = NULL;
  stmt = till_store_prepare (store,
                             "SELECT " JOB_COLUMNS " FROM print_job "
                             "WHERE state = 'queued' AND (?1 = 0 OR (?1 = 1) = (kind = 'drawer')) "
                             "ORDER BY id LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, (int) filter);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_job = job_from_row (stmt);
  else if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, "print_job");
      return FALSE;
    }
  return TRUE;
}

/**
 * till_print_queue_get:
 * Returns: (transfer full): job @id, or %NULL with @error set
 */
TillPrintJob *
till_print_queue_get (TillStore *store, gint64 id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  stmt = till_store_prepare (store, "SELECT " JOB_COLUMNS " FROM print_job WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return job_from_row (stmt);
  if (rc != SQLITE_DONE)
    till_store_set_error (store, error, "print_job");
  else
    g_set_error (error, TILL_PRINT_QUEUE_ERROR, TILL_PRINT_QUEUE_ERROR_NOT_FOUND,
                 "There is no print job %" G_GINT64_FORMAT, id);
  return NULL;
}

/**
 * till_print_queue_list_pending:
 * Returns: (transfer full) (element-type TillPrintJob): queued and printing
 *   jobs, oldest first; %NULL with @error set
 */
GPtrArray *
till_print_queue_list_pending (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  stmt = till_store_prepare (store,
                             "SELECT " JOB_COLUMNS " FROM print_job "
                             "WHERE state IN ('queued', 'printing') ORDER BY id",
                             error);
  if (stmt == NULL)
    return NULL;
  jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) till_print_job_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (jobs, job_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, "print_job");
      return NULL;
    }
  return g_steal_pointer (&jobs);
}

gint64
till_print_queue_count_pending (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);

  stmt = till_store_prepare (
      store, "SELECT count(*) FROM print_job WHERE state IN ('queued', 'printing')", error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, "print_job");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

gboolean
till_print_queue_mark_printing (TillStore *store, gint64 id, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  return change_state (store, id, TILL_PRINT_JOB_QUEUED, TILL_PRINT_JOB_PRINTING, NULL, error);
}

gboolean
till_print_queue_mark_done (TillStore *store, gint64 id, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  return change_state (store, id, TILL_PRINT_JOB_PRINTING, TILL_PRINT_JOB_DONE, NULL, error);
}

gboolean
till_print_queue_mark_failed (TillStore *store, gint64 id, const char *message, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  return change_state (store, id, TILL_PRINT_JOB_PRINTING, TILL_PRINT_JOB_QUEUED, message, error);
}

gboolean
till_print_queue_give_up (TillStore *store, gint64 id, const char *message, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  return change_state (store, id, TILL_PRINT_JOB_QUEUED, TILL_PRINT_JOB_FAILED, message, error);
}

/**
 * till_print_queue_recover:
 * A job found 'printing' at start may or may not be on paper: it is sent again.
 */
gint64
till_print_queue_recover (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);

  stmt = till_store_prepare (store,
                             "UPDATE print_job SET state = 'queued', last_error = ? "
                             "WHERE state = 'printing'",
                             error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, _ ("The till stopped while this was printing"), -1, SQLITE_TRANSIENT);
  if (!till_store_step_done (store, stmt, error))
    return -1;
  return sqlite3_changes (till_store_get_db (store));
}
