/* till-shift.c: shifts and cash accountability (交接班), X and Z reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-shift"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "till-cart.h"
#include "till-drawer.h"
#include "till-journal.h"
#include "till-outbox.h"
#include "till-shift.h"
#include "till-store.h"
#include "till-user.h"
#include "till-uuid.h"

/* A count or a movement above this is a slip of the finger: ¥10,000,000. */
#define MAX_CASH_FEN G_GINT64_CONSTANT (1000000000)
#define DEFAULT_TILL_ID "T01"
/* The variance a cashier may close with alone, unless the store says. */
#define DEFAULT_VARIANCE_THRESHOLD 500

G_DEFINE_QUARK (till_shift_error_quark, till_shift_error)

/* Indexed by TillDenomination. */
static const gint64 denomination_values[] = { 10000, 5000, 2000, 1000, 500, 100, 100, 50, 10 };
/* Written in the counts stored with a shift: never rename. */
static const char *const denomination_names[] = {
  "note-100", "note-50", "note-20", "note-10", "note-5", "note-1", "coin-1", "coin-50", "coin-10",
};

G_STATIC_ASSERT (G_N_ELEMENTS (denomination_values) == TILL_N_DENOMINATIONS);
G_STATIC_ASSERT (G_N_ELEMENTS (denomination_names) == TILL_N_DENOMINATIONS);

/* Indexed by TillCashMovementKind: what cash_movement.kind holds. */
static const char *const movement_names[] = { "in", "out", "drop" };

G_STATIC_ASSERT (G_N_ELEMENTS (movement_names) == TILL_CASH_MOVEMENT_DROP + 1);

gint64
till_denomination_get_value (TillDenomination denomination)
{
  g_return_val_if_fail ((guint) denomination < TILL_N_DENOMINATIONS, 0);
  return denomination_values[denomination];
}

const char *
till_denomination_to_string (TillDenomination denomination)
{
  g_return_val_if_fail ((guint) denomination < TILL_N_DENOMINATIONS, NULL);
  return denomination_names[denomination];
}

const char *
till_denomination_get_label (TillDenomination denomination)
{
  switch (denomination)
    {
    case TILL_DENOMINATION_NOTE_100:
      return _ ("¥100 note");
    case TILL_DENOMINATION_NOTE_50:
      return _ ("¥50 note");
    case TILL_DENOMINATION_NOTE_20:
      return _ ("¥20 note");
    case TILL_DENOMINATION_NOTE_10:
      return _ ("¥10 note");
    case TILL_DENOMINATION_NOTE_5:
      return _ ("¥5 note");
    case TILL_DENOMINATION_NOTE_1:
      return _ ("¥1 note");
    case TILL_DENOMINATION_COIN_1:
      return _ ("¥1 coin");
    case TILL_DENOMINATION_COIN_50_FEN:
      return _ ("5 jiao coin");
    case TILL_DENOMINATION_COIN_10_FEN:
      return _ ("1 jiao coin");
    default:
      g_return_val_if_reached (NULL);
    }
}

gint64
till_cash_count_get_total (const TillCashCount *count)
{
  gint64 total = 0;

  g_return_val_if_fail (count != NULL, -1);

  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    {
      /* Checked before multiplying, so no count can overflow. */
      if (count->pieces[i] < 0 || count->pieces[i] > MAX_CASH_FEN / denomination_values[i])
        return -1;
      total += count->pieces[i] * denomination_values[i];
      if (total > MAX_CASH_FEN)
        return -1;
    }
  return total;
}

const char *
till_cash_movement_kind_to_string (TillCashMovementKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (movement_names), NULL);
  return movement_names[kind];
}

const char *
till_cash_movement_kind_get_label (TillCashMovementKind kind)
{
  switch (kind)
    {
    case TILL_CASH_MOVEMENT_IN:
      return _ ("Cash in");
    case TILL_CASH_MOVEMENT_OUT:
      return _ ("Payout");
    case TILL_CASH_MOVEMENT_DROP:
      return _ ("Cash drop to safe");
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
tender_tally_free (gpointer data)
{
  TillTenderTally *tally = data;

  g_free (tally->method);
  g_free (tally);
}

/* Empties @totals and gives it an empty tender list. */
void
till_shift_totals_clear (TillShiftTotals *totals)
{
  g_return_if_fail (totals != NULL);

  g_clear_pointer (&totals->tenders, g_ptr_array_unref);
  memset (totals, 0, sizeof *totals);
  totals->tenders = g_ptr_array_new_with_free_func (tender_tally_free);
}

const TillTenderTally *
till_shift_totals_get_tender (const TillShiftTotals *totals, const char *method)
{
  g_return_val_if_fail (totals != NULL, NULL);

  if (totals->tenders == NULL)
    return NULL;
  for (guint i = 0; i < totals->tenders->len; i++)
    {
      const TillTenderTally *tally = g_ptr_array_index (totals->tenders, i);

      if (g_strcmp0 (tally->method, method) == 0)
        return tally;
    }
  return NULL;
}

gint64
till_shift_totals_get_expected_cash (const TillShiftTotals *totals, gint64 opening_float)
{
  const TillTenderTally *cash;
  gint64                 expected = opening_float;

  g_return_val_if_fail (totals != NULL, 0);

  cash = till_shift_totals_get_tender (totals, "cash");
  if (cash != NULL)
    expected += cash->taken.amount - cash->refunded.amount + cash->top_ups.amount;
  return expected + totals->cash_in.amount - totals->cash_out.amount - totals->cash_drops.amount;
}

static void
shift_summary_free (gpointer data)
{
  TillShiftSummary *summary = data;

  g_free (summary->uuid);
  g_free (summary->user_code);
  g_free (summary->user_name);
  g_free (summary);
}

void
till_shift_report_free (TillShiftReport *report)
{
  if (report == NULL)
    return;
  g_free (report->till_id);
  g_free (report->shift_uuid);
  g_free (report->user_code);
  g_free (report->user_name);
  g_free (report->variance_reason);
  g_free (report->approved_by);
  g_free (report->day_uuid);
  g_clear_pointer (&report->shifts, g_ptr_array_unref);
  g_clear_pointer (&report->totals.tenders, g_ptr_array_unref);
  g_free (report);
}

/* An empty report of @kind, its lists made and its counts at -1 ("none"). */
TillShiftReport *
till_shift_report_new (TillShiftReportKind kind)
{
  TillShiftReport *report = g_new0 (TillShiftReport, 1);

  report->kind = kind;
  report->handed_over = -1;
  report->counted = -1;
  report->shifts = g_ptr_array_new_with_free_func (shift_summary_free);
  till_shift_totals_clear (&report->totals);
  return report;
}

/* --- The shift object ---------------------------------------------------- */

struct _TillShift
{
  GObject parent_instance;

  char          *uuid;
  char          *day_uuid;
  char          *user_code;
  char          *user_name;
  TillShiftState state;
  gint64         opened_us;
  gint64         closed_us;
  gint64         opening_float;
  TillCashCount  float_count;
  char          *handover_from;
  gint64         handed_over;
  gint64         counted;
  TillCashCount  close_count;
  gint64         expected;
  char          *variance_reason;
  char          *approved_by;
  gboolean       handover;
};

G_DEFINE_FINAL_TYPE (TillShift, till_shift, G_TYPE_OBJECT)

/* Indexed by TillShiftState: what shift.state holds. */
static const char *const state_names[] = { "open", "closing", "closed" };

G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == TILL_SHIFT_STATE_CLOSED + 1);

static void
till_shift_finalize (GObject *object)
{
  TillShift *self = (TillShift *) object;

  g_free (self->uuid);
  g_free (self->day_uuid);
  g_free (self->user_code);
  g_free (self->user_name);
  g_free (self->handover_from);
  g_free (self->variance_reason);
  g_free (self->approved_by);

  G_OBJECT_CLASS (till_shift_parent_class)->finalize (object);
}

static void
till_shift_class_init (TillShiftClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = till_shift_finalize;
}

static void
till_shift_init (TillShift *self)
{
  self->handed_over = -1;
  self->counted = -1;
  self->expected = -1;
}

const char *
till_shift_get_uuid (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), NULL);
  return self->uuid;
}

const char *
till_shift_get_day_uuid (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), NULL);
  return self->day_uuid;
}

const char *
till_shift_get_user_code (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), NULL);
  return self->user_code;
}

const char *
till_shift_get_user_name (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), NULL);
  return self->user_name;
}

TillShiftState
till_shift_get_state (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), TILL_SHIFT_STATE_CLOSED);
  return self->state;
}

gint64
till_shift_get_opened_us (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), 0);
  return self->opened_us;
}

gint64
till_shift_get_closed_us (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), 0);
  return self->closed_us;
}

gint64
till_shift_get_opening_float (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), 0);
  return self->opening_float;
}

const TillCashCount *
till_shift_get_float_count (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), NULL);
  return &self->float_count;
}

const char *
till_shift_get_handover_from (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), NULL);
  return self->handover_from;
}

gint64
till_shift_get_counted (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), -1);
  return self->counted;
}

const TillCashCount *
till_shift_get_close_count (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), NULL);
  return &self->close_count;
}

gint64
till_shift_get_expected (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), -1);
  return self->expected;
}

/* 0 before the count. */
gint64
till_shift_get_variance (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), 0);
  return self->counted >= 0 ? self->counted - self->expected : 0;
}

gboolean
till_shift_get_handover (TillShift *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT (self), FALSE);
  return self->handover;
}

/* --- Small helpers --------------------------------------------------------- */

static char *
this_till_id (TillStore *store)
{
  g_autofree char *till_id = till_store_get_setting (store, "till.id");

  return g_strdup (till_id != NULL && *till_id != '\0' ? till_id : DEFAULT_TILL_ID);
}

/* @us as ISO 8601 in local time ("2026-11-23T21:05:00+08:00"), or NULL for 0. */
static char *
format_iso8601 (gint64 us)
{
  g_autoptr (GDateTime) local = NULL;

  if (us <= 0)
    return NULL;
  local = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  return local != NULL ? g_date_time_format_iso8601 (local) : NULL;
}

/* A comma before the next member unless an object or array just opened. */
static void
json_separate (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != '{' && out->str[out->len - 1] != '[')
    g_string_append_c (out, ',');
}

static void
json_add_bool (GString *out, const char *key, gboolean value)
{
  json_separate (out);
  g_string_append_printf (out, "\"%s\":%s", key, value ? "true" : "false");
}

/* "key":"ISO 8601" (or null) and "key_us":µs, so that HQ reads either. */
static void
json_add_time (GString *out, const char *key, gint64 us)
{
  g_autofree char *iso = format_iso8601 (us);
  g_autofree char *us_key = g_strconcat (key, "_us", NULL);

  _till_json_add_string (out, key, iso);
  _till_json_add_int (out, us_key, us);
}

static void
json_open (GString *out, const char *key, char bracket)
{
  json_separate (out);
  if (key != NULL)
    g_string_append_printf (out, "\"%s\":", key);
  g_string_append_c (out, bracket);
}

static char *
cash_count_to_json (const TillCashCount *count)
{
  GString *out = g_string_new ("{");

  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    _till_json_add_int (out, denomination_names[i], count->pieces[i]);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* Reads a count as cash_count_to_json() wrote it; NULL is all zero. */
static gboolean
cash_count_from_json (TillStore *store, const char *json, TillCashCount *out, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  memset (out, 0, sizeof *out);
  if (json == NULL)
    return TRUE;
  stmt = till_store_prepare (store, "SELECT key, value FROM json_each (?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);

      for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
        if (g_strcmp0 (key, denomination_names[i]) == 0)
          out->pieces[i] = sqlite3_column_int64 (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read a cash count"));
      return FALSE;
    }
  return TRUE;
}

/* Appends @body (a JSON object) to the journal as @kind, in the caller's
 * transaction; its seq and hash (hex) for the outbox when asked. */
static gboolean
journal_append (TillJournal *journal,
                const char  *kind,
                const char  *ref_uuid,
                gint64       created_us,
                const char  *body,
                gint64      *out_seq,
                char       **out_hash_hex,
                GError     **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  guint8 hash[TILL_JOURNAL_HASH_LEN];

  if (!till_journal_append (journal, kind, ref_uuid, created_us, bytes, out_seq, hash, error))
    return FALSE;
  if (out_hash_hex != NULL)
    *out_hash_hex = till_journal_hash_to_hex (hash);
  return TRUE;
}

static gboolean
check_cash_amount (gint64 amount, GError **error)
{
  if (amount > 0 && amount <= MAX_CASH_FEN)
    return TRUE;
  g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_BAD_AMOUNT,
               _ ("The amount must be more than zero and at most ¥10,000,000"));
  return FALSE;
}

/* --- Reading shifts -------------------------------------------------------- */

#define SHIFT_COLUMNS                                                              \
  "SELECT uuid, day_uuid, user_code, user_name, state, opened_us, opening_float, " \
  "float_count, handover_from, handed_over, counted, close_count, expected, "      \
  "variance_reason, approved_by, closed_us, handover FROM shift "

static gint64
column_int_or (TillStmt *stmt, int column, gint64 fallback)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return fallback;
  return sqlite3_column_int64 (stmt, column);
}

static TillShift *
shift_from_row (TillStore *store, TillStmt *stmt, GError **error)
{
  g_autoptr (TillShift) self = g_object_new (TILL_TYPE_SHIFT, NULL);
  const char *state = (const char *) sqlite3_column_text (stmt, 4);

  self->uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  self->day_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  self->user_code = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  self->user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  /* The CHECK keeps any other state out. */
  self->state = TILL_SHIFT_STATE_CLOSED;
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (state, state_names[i]) == 0)
      self->state = (TillShiftState) i;
  self->opened_us = sqlite3_column_int64 (stmt, 5);
  self->opening_float = sqlite3_column_int64 (stmt, 6);
  if (!cash_count_from_json (store, (const char *) sqlite3_column_text (stmt, 7),
                             &self->float_count, error))
    return NULL;
  self->handover_from = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  self->handed_over = sqlite3_column_int64 (stmt, 9);
  self->counted = column_int_or (stmt, 10, -1);
  if (!cash_count_from_json (store, (const char *) sqlite3_column_text (stmt, 11),
                             &self->close_count, error))
    return NULL;
  self->expected = column_int_or (stmt, 12, -1);
  self->variance_reason = g_strdup ((const char *) sqlite3_column_text (stmt, 13));
  self->approved_by = g_strdup ((const char *) sqlite3_column_text (stmt, 14));
  self->closed_us = column_int_or (stmt, 15, 0);
  self->handover = sqlite3_column_int (stmt, 16) != 0;
  return g_steal_pointer (&self);
}

/* The one shift @sql (SHIFT_COLUMNS …) finds with @key bound, NULL with no
 * error when none. */
static TillShift *
query_shift (TillStore *store, const char *sql, const char *key, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  if (key != NULL)
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return shift_from_row (store, stmt, error);
  if (rc != SQLITE_DONE)
    till_store_set_error (store, error, _ ("Cannot read the shift"));
  return NULL;
}

static TillShift *
current_shift (TillStore *store, GError **error)
{
  return query_shift (store, SHIFT_COLUMNS "WHERE state <> 'closed'", NULL, error);
}

/**
 * till_shift_get_current:
 *
 * Returns: (transfer full) (nullable): the open or closing shift, or %NULL
 *   (with @error set only when the store failed)
 */
TillShift *
till_shift_get_current (TillStore *store, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return current_shift (store, error);
}

/**
 * till_shift_load:
 *
 * Returns: (transfer full): the shift, or %NULL with @error set
 *   (TILL_SHIFT_ERROR_NOT_FOUND when there is none)
 */
TillShift *
till_shift_load (TillStore *store, const char *uuid, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  TillShift *shift;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  shift = query_shift (store, SHIFT_COLUMNS "WHERE uuid = ?", uuid, &local_error);
  if (shift != NULL)
    return shift;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_FOUND, _ ("There is no such shift"));
  return NULL;
}

/**
 * till_shift_list:
 *
 * Returns: (transfer full) (element-type TillShift): the shifts opened since
 *   @since_us, newest first, or %NULL with @error set
 */
GPtrArray *
till_shift_list (TillStore *store, gint64 since_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) shifts = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (
      store, SHIFT_COLUMNS "WHERE opened_us >= ? ORDER BY opened_us DESC, uuid DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since_us);
  shifts = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillShift *shift = shift_from_row (store, stmt, error);

      if (shift == NULL)
        return NULL;
      g_ptr_array_add (shifts, shift);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the shifts"));
      return NULL;
    }
  return g_steal_pointer (&shifts);
}

/* --- The business day and the tallies -------------------------------------- */

/* The open business day's uuid, NULL (no error) when none is open. */
static char *
open_day (TillStore *store, gint64 *out_opened_us, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store, "SELECT uuid, opened_us FROM business_day WHERE z_no IS NULL", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_opened_us != NULL)
        *out_opened_us = sqlite3_column_int64 (stmt, 1);
      return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  if (rc != SQLITE_DONE)
    till_store_set_error (store, error, _ ("Cannot read the business day"));
  return NULL;
}

/* The open business day, started now when none is open (the first act after
 * a Z starts the next day). */
static char *
open_or_start_day (TillStore *store, gint64 *out_opened_us, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *uuid = open_day (store, out_opened_us, &local_error);
  gint64           now_us = g_get_real_time ();

  if (uuid != NULL)
    return g_steal_pointer (&uuid);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  uuid = till_uuid_v7_new ();
  stmt =
      till_store_prepare (store, "INSERT INTO business_day (uuid, opened_us) VALUES (?, ?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_us);
  if (!till_store_step_done (store, stmt, error))
    return NULL;
  if (out_opened_us != NULL)
    *out_opened_us = now_us;
  return g_steal_pointer (&uuid);
}

static gboolean
attach (TillStore *store,
        gboolean   allow_closing,
        char     **out_shift_uuid,
        char     **out_day_uuid,
        GError   **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *shift_uuid = NULL;
  g_autofree char *day_uuid = NULL;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (out_shift_uuid != NULL && out_day_uuid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = till_store_prepare (
      store, "SELECT uuid, day_uuid, state FROM shift WHERE state <> 'closed'", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (!allow_closing &&
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "closing") == 0)
        {
          g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_CLOSING,
                       _ ("The shift is being closed: finish the close first"));
          return FALSE;
        }
      shift_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      day_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  else if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the shift"));
      return FALSE;
    }
  else
    {
      day_uuid = open_or_start_day (store, NULL, error);
      if (day_uuid == NULL)
        return FALSE;
    }
  *out_shift_uuid = g_steal_pointer (&shift_uuid);
  *out_day_uuid = g_steal_pointer (&day_uuid);
  return TRUE;
}

/**
 * _till_shift_attach:
 * @out_shift_uuid: (out) (nullable): the open shift, NULL when none
 * @out_day_uuid: (out): the business day
 *
 * See the header. Inside the caller's transaction.
 */
gboolean
_till_shift_attach (TillStore *store, char **out_shift_uuid, char **out_day_uuid, GError **error)
{
  return attach (store, FALSE, out_shift_uuid, out_day_uuid, error);
}

gboolean
_till_shift_attach_while_closing (TillStore *store,
                                  char     **out_shift_uuid,
                                  char     **out_day_uuid,
                                  GError   **error)
{
  return attach (store, TRUE, out_shift_uuid, out_day_uuid, error);
}

static gboolean
tally_scope (TillStore  *store,
             const char *scope,
             const char *metric,
             gint64      count,
             gint64      amount,
             GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO shift_tally (scope, metric, count, amount) "
                             "VALUES (?, ?, ?, ?) ON CONFLICT (scope, metric) DO UPDATE SET "
                             "count = count + excluded.count, amount = amount + excluded.amount",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, metric, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, count);
  sqlite3_bind_int64 (stmt, 4, amount);
  return till_store_step_done (store, stmt, error);
}

/**
 * _till_shift_tally:
 * See the header. Inside the caller's transaction.
 */
gboolean
_till_shift_tally (TillStore  *store,
                   const char *shift_uuid,
                   const char *day_uuid,
                   const char *metric,
                   gint64      count,
                   gint64      amount,
                   GError    **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (day_uuid != NULL, FALSE);
  g_return_val_if_fail (metric != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return (shift_uuid == NULL || tally_scope (store, shift_uuid, metric, count, amount, error)) &&
         tally_scope (store, day_uuid, metric, count, amount, error);
}

/* Which TillShiftTotals member each plain metric adds to. */
static const struct
{
  const char *metric;
  gsize       offset;
} metric_fields[] = {
  { "sale", G_STRUCT_OFFSET (TillShiftTotals, sales) },
  { "gross", G_STRUCT_OFFSET (TillShiftTotals, gross) },
  { "discount", G_STRUCT_OFFSET (TillShiftTotals, discounts) },
  { "promotion", G_STRUCT_OFFSET (TillShiftTotals, promotions) },
  { "rounding", G_STRUCT_OFFSET (TillShiftTotals, rounding) },
  { "return", G_STRUCT_OFFSET (TillShiftTotals, returns) },
  { "void-line", G_STRUCT_OFFSET (TillShiftTotals, voided_lines) },
  { "void-sale", G_STRUCT_OFFSET (TillShiftTotals, voided_sales) },
  { "no-sale", G_STRUCT_OFFSET (TillShiftTotals, no_sales) },
  { "drawer-open", G_STRUCT_OFFSET (TillShiftTotals, drawer_opens) },
  { "cash-in", G_STRUCT_OFFSET (TillShiftTotals, cash_in) },
  { "cash-out", G_STRUCT_OFFSET (TillShiftTotals, cash_out) },
  { "cash-drop", G_STRUCT_OFFSET (TillShiftTotals, cash_drops) },
  { "top-up", G_STRUCT_OFFSET (TillShiftTotals, top_ups) },
};

static TillTenderTally *
tender_tally_for (TillShiftTotals *totals, const char *method)
{
  TillTenderTally *tally;

  for (guint i = 0; i < totals->tenders->len; i++)
    {
      tally = g_ptr_array_index (totals->tenders, i);
      if (g_strcmp0 (tally->method, method) == 0)
        return tally;
    }
  tally = g_new0 (TillTenderTally, 1);
  tally->method = g_strdup (method);
  g_ptr_array_add (totals->tenders, tally);
  return tally;
}

static int
compare_tenders (gconstpointer a, gconstpointer b)
{
  const TillTenderTally *left = *(const TillTenderTally *const *) a;
  const TillTenderTally *right = *(const TillTenderTally *const *) b;

  return g_strcmp0 (left->method, right->method);
}

/* Adds one shift_tally row to @totals; metrics it does not know are left
 * out (a newer till's). */
static void
totals_add (TillShiftTotals *totals, const char *metric, const TillTally *tally)
{
  static const struct
  {
    const char *prefix;
    gsize       offset;
  } tender_fields[] = {
    { "tender:", G_STRUCT_OFFSET (TillTenderTally, taken) },
    { "refund:", G_STRUCT_OFFSET (TillTenderTally, refunded) },
    { "top-up:", G_STRUCT_OFFSET (TillTenderTally, top_ups) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (metric_fields); i++)
    if (g_strcmp0 (metric, metric_fields[i].metric) == 0)
      {
        *(TillTally *) G_STRUCT_MEMBER_P (totals, metric_fields[i].offset) = *tally;
        return;
      }
  for (guint i = 0; i < G_N_ELEMENTS (tender_fields); i++)
    if (g_str_has_prefix (metric, tender_fields[i].prefix))
      {
        TillTenderTally *tender =
            tender_tally_for (totals, metric + strlen (tender_fields[i].prefix));

        *(TillTally *) G_STRUCT_MEMBER_P (tender, tender_fields[i].offset) = *tally;
        return;
      }
}

/* @scope's tallies (a shift's or a day's uuid) into @totals, cleared first. */
static gboolean
load_totals (TillStore *store, const char *scope, TillShiftTotals *totals, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  till_shift_totals_clear (totals);
  stmt = till_store_prepare (store, "SELECT metric, count, amount FROM shift_tally WHERE scope = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillTally tally = {
        .count = sqlite3_column_int64 (stmt, 1),
        .amount = sqlite3_column_int64 (stmt, 2),
      };

      totals_add (totals, (const char *) sqlite3_column_text (stmt, 0), &tally);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the shift's totals"));
      return FALSE;
    }
  g_ptr_array_sort (totals->tenders, compare_tenders);
  return TRUE;
}

/* --- Reports ---------------------------------------------------------------- */

static void
json_add_tally (GString *out, const char *key, const TillTally *tally)
{
  json_open (out, key, '{');
  _till_json_add_int (out, "count", tally->count);
  _till_json_add_int (out, "amount", tally->amount);
  g_string_append_c (out, '}');
}

static void
json_add_totals (GString *out, const TillShiftTotals *totals)
{
  json_open (out, "totals", '{');
  json_add_tally (out, "sales", &totals->sales);
  json_add_tally (out, "gross", &totals->gross);
  json_add_tally (out, "discounts", &totals->discounts);
  json_add_tally (out, "promotions", &totals->promotions);
  json_add_tally (out, "rounding", &totals->rounding);
  json_add_tally (out, "returns", &totals->returns);
  json_add_tally (out, "voided_lines", &totals->voided_lines);
  json_add_tally (out, "voided_sales", &totals->voided_sales);
  json_add_tally (out, "no_sales", &totals->no_sales);
  json_add_tally (out, "drawer_opens", &totals->drawer_opens);
  json_add_tally (out, "cash_in", &totals->cash_in);
  json_add_tally (out, "cash_out", &totals->cash_out);
  json_add_tally (out, "cash_drops", &totals->cash_drops);
  json_add_tally (out, "top_ups", &totals->top_ups);
  json_open (out, "tenders", '[');
  for (guint i = 0; i < totals->tenders->len; i++)
    {
      const TillTenderTally *tender = g_ptr_array_index (totals->tenders, i);

      json_open (out, NULL, '{');
      _till_json_add_string (out, "method", tender->method);
      json_add_tally (out, "taken", &tender->taken);
      json_add_tally (out, "refunded", &tender->refunded);
      json_add_tally (out, "top_ups", &tender->top_ups);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
}

/* The X or close report of @shift, from its row and its tallies. */
static TillShiftReport *
shift_report (TillStore *store, TillShift *shift, TillShiftReportKind kind, GError **error)
{
  g_autoptr (TillShiftReport) report = till_shift_report_new (kind);

  report->till_id = this_till_id (store);
  report->shift_uuid = g_strdup (shift->uuid);
  report->day_uuid = g_strdup (shift->day_uuid);
  report->user_code = g_strdup (shift->user_code);
  report->user_name = g_strdup (shift->user_name);
  report->opened_us = shift->opened_us;
  report->opening_float = shift->opening_float;
  report->handed_over = shift->handed_over;
  if (!load_totals (store, shift->uuid, &report->totals, error))
    return NULL;
  if (kind == TILL_SHIFT_REPORT_X)
    {
      report->created_us = g_get_real_time ();
      report->expected = -1;
      report->variance = -1;
      return g_steal_pointer (&report);
    }
  /* A closed shift's report is taken when it closed: a reprint is the same. */
  report->closed_us = shift->closed_us;
  report->created_us = shift->closed_us > 0 ? shift->closed_us : g_get_real_time ();
  report->counted = shift->counted;
  report->count = shift->close_count;
  report->expected = shift->expected;
  report->variance = till_shift_get_variance (shift);
  report->handover = shift->handover;
  report->variance_reason = g_strdup (shift->variance_reason);
  report->approved_by = g_strdup (shift->approved_by);
  return g_steal_pointer (&report);
}

/* The document of a shift's report: journaled with the X report and the
 * close, and sent to HQ as a "shift". */
static char *
shift_document (TillShiftReport *report, TillShift *shift)
{
  GString *out = g_string_new ("{");

  _till_json_add_string (out, "uuid", report->shift_uuid);
  _till_json_add_string (out, "day_uuid", report->day_uuid);
  _till_json_add_string (out, "till_id", report->till_id);
  _till_json_add_string (out, "user_code", report->user_code);
  _till_json_add_string (out, "user_name", report->user_name);
  json_add_time (out, "opened", report->opened_us);
  json_add_time (out, "closed", report->closed_us);
  _till_json_add_int (out, "opening_float", report->opening_float);
  _till_json_add_string (out, "handover_from", shift->handover_from);
  _till_json_add_int (out, "handed_over", report->handed_over);
  _till_json_add_int (out, "counted", report->counted);
  _till_json_add_int (out, "expected", report->expected);
  _till_json_add_int (out, "variance", report->variance);
  json_add_bool (out, "handover", report->handover);
  _till_json_add_string (out, "variance_reason", report->variance_reason);
  _till_json_add_string (out, "approved_by", report->approved_by);
  json_add_totals (out, &report->totals);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* What a Z report records in its row; the rest is rebuilt from the tallies. */
typedef struct
{
  const char *day_uuid;
  const char *user_code;
  gint64      z_no;
  gint64      opened_us;
  gint64      closed_us;
  gint64      grand_total;
  gint64      grand_sales;
  gint64      grand_returns;
} ZFigures;

static char *
user_name_of (TillStore *store, const char *code)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT name FROM user WHERE code = ?", NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* The day's shifts, oldest first, with what each sold; *@out_sales_count:
 * how many sales they made between them. */
static gboolean
load_day_shifts (
    TillStore *store, const char *day_uuid, GPtrArray *shifts, TillTally *out_sales, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  *out_sales = (TillTally){ 0, 0 };
  stmt = till_store_prepare (store,
                             "SELECT s.uuid, s.user_code, s.user_name, s.opened_us, s.closed_us, "
                             "s.expected, s.counted, t.count, t.amount FROM shift s "
                             "LEFT JOIN shift_tally t ON t.scope = s.uuid AND t.metric = 'sale' "
                             "WHERE s.day_uuid = ? ORDER BY s.opened_us, s.uuid",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, day_uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillShiftSummary *summary = g_new0 (TillShiftSummary, 1);

      summary->uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      summary->user_code = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      summary->user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      summary->opened_us = sqlite3_column_int64 (stmt, 3);
      summary->closed_us = column_int_or (stmt, 4, 0);
      summary->expected = column_int_or (stmt, 5, -1);
      summary->counted = column_int_or (stmt, 6, -1);
      summary->variance = summary->counted >= 0 ? summary->counted - summary->expected : 0;
      summary->sales_total = sqlite3_column_int64 (stmt, 8);
      out_sales->count += sqlite3_column_int64 (stmt, 7);
      out_sales->amount += summary->sales_total;
      g_ptr_array_add (shifts, summary);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the day's shifts"));
      return FALSE;
    }
  return TRUE;
}

static TillShiftReport *
z_report_build (TillStore *store, const ZFigures *z, GError **error)
{
  g_autoptr (TillShiftReport) report = till_shift_report_new (TILL_SHIFT_REPORT_Z);
  TillTally shift_sales;

  report->till_id = this_till_id (store);
  report->created_us = z->closed_us;
  report->z_no = z->z_no;
  report->day_uuid = g_strdup (z->day_uuid);
  report->user_code = g_strdup (z->user_code);
  report->user_name = user_name_of (store, z->user_code);
  report->opened_us = z->opened_us;
  report->closed_us = z->closed_us;
  report->grand_total = z->grand_total;
  report->grand_sales = z->grand_sales;
  report->grand_returns = z->grand_returns;
  report->expected = -1;
  report->variance = -1;
  if (!load_totals (store, z->day_uuid, &report->totals, error) ||
      !load_day_shifts (store, z->day_uuid, report->shifts, &shift_sales, error))
    return NULL;
  report->outside_sales.count = report->totals.sales.count - shift_sales.count;
  report->outside_sales.amount = report->totals.sales.amount - shift_sales.amount;
  return g_steal_pointer (&report);
}

static char *
z_document (TillStore *store, TillShiftReport *report, const char *uuid)
{
  g_autofree char *business_day = till_store_business_day (store, report->opened_us);
  GString         *out = g_string_new ("{");

  _till_json_add_string (out, "uuid", uuid);
  _till_json_add_int (out, "z_no", report->z_no);
  _till_json_add_string (out, "day_uuid", report->day_uuid);
  _till_json_add_string (out, "business_day", business_day);
  _till_json_add_string (out, "till_id", report->till_id);
  _till_json_add_string (out, "user_code", report->user_code);
  json_add_time (out, "opened", report->opened_us);
  json_add_time (out, "closed", report->closed_us);
  _till_json_add_int (out, "sales_total", report->totals.sales.amount);
  _till_json_add_int (out, "returns_total", report->totals.returns.amount);
  _till_json_add_int (out, "grand_total", report->grand_total);
  _till_json_add_int (out, "grand_sales", report->grand_sales);
  _till_json_add_int (out, "grand_returns", report->grand_returns);
  _till_json_add_int (out, "outside_sales", report->outside_sales.count);
  _till_json_add_int (out, "outside_sales_total", report->outside_sales.amount);
  json_add_totals (out, &report->totals);
  json_open (out, "shifts", '[');
  for (guint i = 0; i < report->shifts->len; i++)
    {
      const TillShiftSummary *summary = g_ptr_array_index (report->shifts, i);

      json_open (out, NULL, '{');
      _till_json_add_string (out, "uuid", summary->uuid);
      _till_json_add_string (out, "user_code", summary->user_code);
      _till_json_add_string (out, "user_name", summary->user_name);
      json_add_time (out, "opened", summary->opened_us);
      json_add_time (out, "closed", summary->closed_us);
      _till_json_add_int (out, "sales_total", summary->sales_total);
      _till_json_add_int (out, "expected", summary->expected);
      _till_json_add_int (out, "counted", summary->counted);
      _till_json_add_int (out, "variance", summary->variance);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

/* --- Opening ---------------------------------------------------------------- */

/* The pending handover of the open business day: the latest closed shift,
 * when it handed over and nobody took it. *@out_uuid is NULL when none. */
static gboolean
find_pending_handover (
    TillStore *store, char **out_uuid, gint64 *out_counted, char **out_user_name, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  *out_uuid = NULL;
  stmt = till_store_prepare (store,
                             "SELECT s.uuid, s.counted, s.user_name, s.handover, s.handover_taken "
                             "FROM shift s JOIN business_day d ON d.uuid = s.day_uuid "
                             "WHERE d.z_no IS NULL AND s.state = 'closed' "
                             "ORDER BY s.opened_us DESC, s.uuid DESC LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_int (stmt, 3) == 0 || sqlite3_column_int (stmt, 4) != 0)
        return TRUE;
      *out_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (out_counted != NULL)
        *out_counted = sqlite3_column_int64 (stmt, 1);
      if (out_user_name != NULL)
        *out_user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the last shift"));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_shift_get_pending_handover:
 * @out_amount: (out) (optional): the float handed over, fen
 * @out_user_name: (out) (optional): who handed it over
 *
 * Returns: %TRUE when a handover waits; %FALSE when none does or, with
 *   @error set, when the store failed
 */
gboolean
till_shift_get_pending_handover (TillStore *store,
                                 gint64    *out_amount,
                                 char     **out_user_name,
                                 GError   **error)
{
  g_autofree char *uuid = NULL;
  g_autofree char *user_name = NULL;
  gint64           counted = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!find_pending_handover (store, &uuid, &counted, &user_name, error) || uuid == NULL)
    return FALSE;
  if (out_amount != NULL)
    *out_amount = counted;
  if (out_user_name != NULL)
    *out_user_name = g_steal_pointer (&user_name);
  return TRUE;
}

static gboolean
set_error_if_open (TillStore *store, TillShiftError code, const char *message, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TillShift) current = current_shift (store, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return TRUE;
    }
  if (current == NULL)
    return FALSE;
  g_set_error_literal (error, TILL_SHIFT_ERROR, code, message);
  return TRUE;
}

static gboolean
insert_shift (TillStore  *store,
              const char *uuid,
              const char *day_uuid,
              TillUser   *user,
              gint64      opened_us,
              gint64      opening_float,
              const char *float_count,
              const char *handover_from,
              gint64      handed_over,
              GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO shift (uuid, day_uuid, user_code, user_name, state, "
                             "opened_us, opening_float, float_count, handover_from, handed_over) "
                             "VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, day_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, till_user_get_code (user), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, till_user_get_name (user), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, opened_us);
  sqlite3_bind_int64 (stmt, 6, opening_float);
  sqlite3_bind_text (stmt, 7, float_count, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, handover_from, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, handed_over);
  return till_store_step_done (store, stmt, error);
}

static gboolean
mark_handover_taken (TillStore *store, const char *shift_uuid, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "UPDATE shift SET handover_taken = 1 WHERE uuid = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, shift_uuid, -1, SQLITE_STATIC);
  return till_store_step_done (store, stmt, error);
}

/* Opens @user's shift in the caller's transaction: with @float_count
 * counted afresh, or (NULL) with the float handed over. */
static char *
open_in_transaction (TillStore           *store,
                     TillJournal         *journal,
                     TillUser            *user,
                     const TillCashCount *float_count,
                     GError             **error)
{
  g_autofree char *uuid = till_uuid_v7_new ();
  g_autofree char *day_uuid = NULL;
  g_autofree char *count_json = NULL;
  g_autofree char *handover_uuid = NULL;
  g_autofree char *body = NULL;
  gint64           handover_counted = 0;
  gint64           handed_over = -1;
  gint64           opening_float;
  gint64           opened_us = g_get_real_time ();
  GString         *out;

  if (set_error_if_open (store, TILL_SHIFT_ERROR_ALREADY_OPEN,
                         _ ("A shift is open on this till already"), error) ||
      !find_pending_handover (store, &handover_uuid, &handover_counted, NULL, error))
    return NULL;
  if (float_count == NULL && handover_uuid == NULL)
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NO_HANDOVER,
                   _ ("No cashier handed over a float: count the drawer"));
      return NULL;
    }
  if (float_count != NULL)
    {
      opening_float = till_cash_count_get_total (float_count);
      count_json = cash_count_to_json (float_count);
    }
  else
    opening_float = handover_counted;
  /* A fresh count takes the handover too: the report shows both. */
  if (handover_uuid != NULL)
    {
      handed_over = handover_counted;
      if (!mark_handover_taken (store, handover_uuid, error))
        return NULL;
    }

  day_uuid = open_or_start_day (store, NULL, error);
  if (day_uuid == NULL || !insert_shift (store, uuid, day_uuid, user, opened_us, opening_float,
                                         count_json, handover_uuid, handed_over, error))
    return NULL;
  /* The drawer opens to take the float in; an empty float opens nothing. */
  if (float_count != NULL && opening_float > 0 &&
      till_drawer_record_open (store, TILL_DRAWER_REASON_COUNT, uuid, till_user_get_code (user),
                               error) == 0)
    return NULL;

  out = g_string_new ("{");
  _till_json_add_string (out, "uuid", uuid);
  _till_json_add_string (out, "day_uuid", day_uuid);
  _till_json_add_user (out, user);
  _till_json_add_int (out, "opening_float", opening_float);
  if (count_json != NULL)
    {
      json_separate (out);
      g_string_append_printf (out, "\"float_count\":%s", count_json);
    }
  _till_json_add_string (out, "handover_from", handover_uuid);
  _till_json_add_int (out, "handed_over", handed_over);
  g_string_append_c (out, '}');
  body = g_string_free (out, FALSE);
  if (!journal_append (journal, "shift-open", uuid, opened_us, body, NULL, NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

static TillShift *
open_shift (TillStore           *store,
            TillJournal         *journal,
            TillUser            *user,
            const TillCashCount *float_count,
            GError             **error)
{
  g_autofree char *uuid = NULL;

  if (!till_store_begin (store, error))
    return NULL;
  uuid = open_in_transaction (store, journal, user, float_count, error);
  if (uuid == NULL || !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return NULL;
    }
  return till_shift_load (store, uuid, error);
}

#define SHIFT_ACT_PRECONDITIONS(store, journal, user, value)                   \
  G_STMT_START                                                                 \
  {                                                                            \
    g_return_val_if_fail (TILL_IS_STORE (store), value);                       \
    g_return_val_if_fail (TILL_IS_JOURNAL (journal), value);                   \
    g_return_val_if_fail (till_journal_get_store (journal) == (store), value); \
    g_return_val_if_fail (TILL_IS_USER (user), value);                         \
    g_return_val_if_fail (!till_store_in_transaction (store), value);          \
    g_return_val_if_fail (error == NULL || *error == NULL, value);             \
  }                                                                            \
  G_STMT_END

static gboolean
check_count (const TillCashCount *count, GError **error)
{
  if (till_cash_count_get_total (count) >= 0)
    return TRUE;
  g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_BAD_AMOUNT,
               _ ("The count is not right: no negative pieces, at most ¥10,000,000"));
  return FALSE;
}

/**
 * till_shift_open:
 * See the header.
 *
 * Returns: (transfer full): the new shift, or %NULL with @error set
 */
TillShift *
till_shift_open (TillStore           *store,
                 TillJournal         *journal,
                 TillUser            *user,
                 const TillCashCount *float_count,
                 GError             **error)
{
  SHIFT_ACT_PRECONDITIONS (store, journal, user, NULL);
  g_return_val_if_fail (float_count != NULL, NULL);

  if (!check_count (float_count, error))
    return NULL;
  return open_shift (store, journal, user, float_count, error);
}

/**
 * till_shift_open_accepting_handover:
 * See the header.
 *
 * Returns: (transfer full): the new shift, or %NULL with @error set
 */
TillShift *
till_shift_open_accepting_handover (TillStore   *store,
                                    TillJournal *journal,
                                    TillUser    *user,
                                    GError     **error)
{
  SHIFT_ACT_PRECONDITIONS (store, journal, user, NULL);

  return open_shift (store, journal, user, NULL, error);
}

/* --- Inside the shift ------------------------------------------------------- */

/* The open or closing shift, or NULL with TILL_SHIFT_ERROR_NOT_OPEN. */
static TillShift *
require_current (TillStore *store, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  TillShift *shift = current_shift (store, &local_error);

  if (shift != NULL)
    return shift;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_OPEN,
                 _ ("No shift is open on this till"));
  return NULL;
}

/* The open shift, refusing one that is being closed. */
static TillShift *
require_open (TillStore *store, GError **error)
{
  g_autoptr (TillShift) shift = require_current (store, error);

  if (shift == NULL)
    return NULL;
  if (shift->state == TILL_SHIFT_STATE_CLOSING)
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_CLOSING,
                   _ ("The shift is being closed: finish the close first"));
      return NULL;
    }
  return g_steal_pointer (&shift);
}

/* Anyone may act on their own shift; another's needs MANAGE_SHIFTS (or
 * @override). Refused without an override: TILL_SHIFT_ERROR_NOT_YOURS. */
static gboolean
check_owner (TillStore          *store,
             TillJournal        *journal,
             TillUser           *user,
             TillShift          *shift,
             const TillOverride *override,
             GError            **error)
{
  g_autoptr (GError) local_error = NULL;
  const char *approved_by;

  if (g_strcmp0 (shift->user_code, till_user_get_code (user)) == 0)
    return TRUE;
  if (till_permission_check_user_first (store, journal, user, TILL_PERMISSION_MANAGE_SHIFTS,
                                        override, &approved_by, &local_error))
    return TRUE;
  if (override == NULL &&
      g_error_matches (local_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED))
    g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_YOURS,
                 _ ("This is %s's shift: a supervisor must approve"), shift->user_name);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static const char *const movement_metrics[] = { "cash-in", "cash-out", "cash-drop" };

G_STATIC_ASSERT (G_N_ELEMENTS (movement_metrics) == G_N_ELEMENTS (movement_names));

static gboolean
insert_movement (TillStore           *store,
                 const char          *uuid,
                 TillShift           *shift,
                 TillCashMovementKind kind,
                 gint64               amount,
                 const char          *reason,
                 TillUser            *user,
                 const char          *approved_by,
                 gint64               created_us,
                 gint64               journal_seq,
                 GError             **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO cash_movement (uuid, shift_uuid, day_uuid, kind, amount, "
                             "reason, user_code, approved_by, created_us, journal_seq) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, shift->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, shift->day_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, movement_names[kind], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, amount);
  sqlite3_bind_text (stmt, 6, reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, till_user_get_code (user), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, approved_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, created_us);
  sqlite3_bind_int64 (stmt, 10, journal_seq);
  return till_store_step_done (store, stmt, error);
}

static char *
move_cash_in_transaction (TillStore           *store,
                          TillJournal         *journal,
                          TillUser            *user,
                          TillCashMovementKind kind,
                          gint64               amount,
                          const char          *reason,
                          const TillOverride  *override,
                          GError             **error)
{
  g_autoptr (TillShift) shift = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  g_autofree char *document = NULL;
  g_autofree char *created = NULL;
  g_autofree char *hash_hex = NULL;
  const char      *approved_by = NULL;
  gint64           created_us = g_get_real_time ();
  gint64           journal_seq = 0;
  GString         *out;

  shift = require_open (store, error);
  if (shift == NULL)
    return NULL;
  if (kind != TILL_CASH_MOVEMENT_DROP &&
      !till_permission_check_user_first (store, journal, user, TILL_PERMISSION_CASH_MOVEMENT,
                                         override, &approved_by, error))
    return NULL;

  created = format_iso8601 (created_us);
  out = g_string_new ("{");
  _till_json_add_string (out, "uuid", uuid);
  _till_json_add_string (out, "shift_uuid", shift->uuid);
  _till_json_add_string (out, "day_uuid", shift->day_uuid);
  _till_json_add_string (out, "kind", movement_names[kind]);
  _till_json_add_int (out, "amount", amount);
  _till_json_add_string (out, "reason", reason);
  _till_json_add_string (out, "user_code", till_user_get_code (user));
  _till_json_add_string (out, "approved_by", approved_by);
  _till_json_add_string (out, "created", created);
  _till_json_add_int (out, "created_us", created_us);
  g_string_append_c (out, '}');
  document = g_string_free (out, FALSE);

  if (!_till_shift_tally (store, shift->uuid, shift->day_uuid, movement_metrics[kind], 1, amount,
                          error) ||
      till_drawer_record_open (store, TILL_DRAWER_REASON_CASH, uuid, till_user_get_code (user),
                               error) == 0 ||
      !journal_append (journal, "cash-movement", uuid, created_us, document, &journal_seq,
                       &hash_hex, error) ||
      !insert_movement (store, uuid, shift, kind, amount, reason, user, approved_by, created_us,
                        journal_seq, error) ||
      !till_outbox_append (store, "cash-movement", "cash_movement", uuid, document, journal_seq,
                           hash_hex, created_us, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/**
 * till_shift_move_cash:
 * See the header.
 *
 * Returns: (transfer full): the movement's uuid, or %NULL with @error set
 */
char *
till_shift_move_cash (TillStore           *store,
                      TillJournal         *journal,
                      TillUser            *user,
                      TillCashMovementKind kind,
                      gint64               amount,
                      const char          *reason,
                      const TillOverride  *override,
                      GError             **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *uuid = NULL;

  SHIFT_ACT_PRECONDITIONS (store, journal, user, NULL);
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (movement_names), NULL);

  if (!check_cash_amount (amount, error))
    return NULL;
  stripped = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  if (*stripped == '\0' || !g_utf8_validate (stripped, -1, NULL))
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_REASON,
                   _ ("Give a reason for taking cash in or out"));
      return NULL;
    }

  if (!till_store_begin (store, error))
    return NULL;
  uuid = move_cash_in_transaction (store, journal, user, kind, amount, stripped, override, error);
  if (uuid == NULL || !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&uuid);
}

/* --- The close -------------------------------------------------------------- */

/* A journaled sale with lines is on the till: the close waits for it. */
static gboolean
check_no_sale_open (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT EXISTS (SELECT 1 FROM cart_line)", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the open sale"));
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0) == 0)
    return TRUE;
  g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_SALE_OPEN,
               _ ("A sale is in progress: finish it, hold it or void it first"));
  return FALSE;
}

/* A small journal entry for a close step: the shift, the user, @extra. */
static gboolean
journal_step (TillJournal *journal,
              const char  *kind,
              TillShift   *shift,
              TillUser    *user,
              gint64       now_us,
              GString     *extra,
              GError     **error)
{
  g_autofree char *body = NULL;
  GString         *out = g_string_new ("{");

  _till_json_add_string (out, "uuid", shift->uuid);
  _till_json_add_user (out, user);
  if (extra != NULL)
    g_string_append_len (out, extra->str, extra->len);
  g_string_append_c (out, '}');
  body = g_string_free (out, FALSE);
  return journal_append (journal, kind, shift->uuid, now_us, body, NULL, NULL, error);
}

static gboolean
begin_close_in_transaction (TillStore          *store,
                            TillJournal        *journal,
                            TillUser           *user,
                            const TillOverride *override,
                            gboolean           *out_began,
                            GError            **error)
{
  g_autoptr (TillShift) shift = require_current (store, error);
  gint64 now_us = g_get_real_time ();

  *out_began = FALSE;
  if (shift == NULL || !check_owner (store, journal, user, shift, override, error))
    return FALSE;
  /* Begun already (the till stopped before the count): nothing to do. */
  if (shift->state == TILL_SHIFT_STATE_CLOSING)
    return TRUE;
  if (!check_no_sale_open (store, error))
    return FALSE;
  {
    g_autoptr (TillStmt) stmt = till_store_prepare (
        store,
        "UPDATE shift SET state = 'closing', closing_us = ?2 WHERE uuid = ?1 AND state = 'open'",
        error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_text (stmt, 1, shift->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, now_us);
    if (!till_store_step_done (store, stmt, error))
      return FALSE;
  }
  *out_began = TRUE;
  return journal_step (journal, "shift-close-begin", shift, user, now_us, NULL, error);
}

/**
 * till_shift_begin_close:
 * See the header. A shift whose close began already is left as it is
 * (TRUE): the till resumes at the count.
 */
gboolean
till_shift_begin_close (TillStore          *store,
                        TillJournal        *journal,
                        TillUser           *user,
                        const TillOverride *override,
                        GError            **error)
{
  gboolean began = FALSE;

  SHIFT_ACT_PRECONDITIONS (store, journal, user, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  if (!begin_close_in_transaction (store, journal, user, override, &began, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  if (!began)
    {
      till_store_rollback (store);
      return TRUE;
    }
  if (!till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static gboolean
record_count_in_transaction (TillStore           *store,
                             TillJournal         *journal,
                             TillUser            *user,
                             const TillCashCount *count,
                             GError             **error)
{
  g_autoptr (TillShift) shift = require_current (store, error);
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *count_json = NULL;
  TillShiftTotals  totals = { 0 };
  gint64           counted = till_cash_count_get_total (count);
  gint64           expected;
  gint64           now_us = g_get_real_time ();
  GString         *extra;
  gboolean         ok;

  if (shift == NULL)
    return FALSE;
  if (shift->state != TILL_SHIFT_STATE_CLOSING)
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_CLOSING,
                   _ ("Begin the close before counting the drawer"));
      return FALSE;
    }
  if (shift->counted >= 0)
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_COUNTED,
                   _ ("The drawer was counted already: the count is taken once"));
      return FALSE;
    }
  if (!load_totals (store, shift->uuid, &totals, error))
    {
      g_clear_pointer (&totals.tenders, g_ptr_array_unref);
      return FALSE;
    }
  expected = till_shift_totals_get_expected_cash (&totals, shift->opening_float);
  g_clear_pointer (&totals.tenders, g_ptr_array_unref);

  count_json = cash_count_to_json (count);
  stmt = till_store_prepare (store,
                             "UPDATE shift SET counted = ?2, close_count = ?3, expected = ?4 "
                             "WHERE uuid = ?1 AND state = 'closing' AND counted IS NULL",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, shift->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, counted);
  sqlite3_bind_text (stmt, 3, count_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, expected);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  /* An empty drawer is counted without opening it (the screen sends no pulse). */
  if (counted > 0 && till_drawer_record_open (store, TILL_DRAWER_REASON_COUNT, shift->uuid,
                                              till_user_get_code (user), error) == 0)
    return FALSE;

  extra = g_string_new (NULL);
  _till_json_add_int (extra, "counted", counted);
  g_string_append_printf (extra, ",\"close_count\":%s", count_json);
  _till_json_add_int (extra, "expected", expected);
  ok = journal_step (journal, "shift-count", shift, user, now_us, extra, error);
  g_string_free (extra, TRUE);
  return ok;
}

/**
 * till_shift_record_count:
 * See the header. Whoever continues a close that began (with the right to
 * begin it) may count.
 */
gboolean
till_shift_record_count (TillStore           *store,
                         TillJournal         *journal,
                         TillUser            *user,
                         const TillCashCount *count,
                         GError             **error)
{
  SHIFT_ACT_PRECONDITIONS (store, journal, user, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  if (!check_count (count, error))
    return FALSE;
  if (!till_store_begin (store, error))
    return FALSE;
  if (!record_count_in_transaction (store, journal, user, count, error) ||
      !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* shift.variance-threshold, fen. */
static gint64
variance_threshold (TillStore *store)
{
  g_autofree char *text = till_store_get_setting (store, "shift.variance-threshold");
  guint64          value;

  if (text == NULL || *g_strstrip (text) == '\0')
    return DEFAULT_VARIANCE_THRESHOLD;
  if (!g_ascii_string_to_unsigned (text, 10, 0, (guint64) MAX_CASH_FEN, &value, NULL))
    {
      g_warning ("Setting shift.variance-threshold is not an amount in fen: %s", text);
      return DEFAULT_VARIANCE_THRESHOLD;
    }
  return (gint64) value;
}

gboolean
till_shift_variance_needs_approval (TillStore *store, TillShift *shift)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_SHIFT (shift), FALSE);

  if (shift->counted < 0)
    return FALSE;
  return ABS (till_shift_get_variance (shift)) > variance_threshold (store);
}

static gboolean
close_shift_row (TillStore  *store,
                 TillShift  *shift,
                 TillUser   *user,
                 gint64      closed_us,
                 gboolean    handover,
                 const char *reason,
                 const char *approved_by,
                 GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "UPDATE shift SET state = 'closed', closed_us = ?2, closed_by = ?3, "
                             "handover = ?4, variance_reason = ?5, approved_by = ?6 "
                             "WHERE uuid = ?1 AND state = 'closing' AND counted IS NOT NULL",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, shift->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, closed_us);
  sqlite3_bind_text (stmt, 3, till_user_get_code (user), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, handover ? 1 : 0);
  sqlite3_bind_text (stmt, 5, reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, approved_by, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (store)) == 1)
    return TRUE;
  g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_FAILED,
               _ ("The shift changed while it was being closed"));
  return FALSE;
}

static gboolean
finish_close_in_transaction (TillStore          *store,
                             TillJournal        *journal,
                             TillUser           *user,
                             gboolean            handover,
                             const char         *reason,
                             const TillOverride *override,
                             GError            **error)
{
  g_autoptr (TillShift) shift = require_current (store, error);
  g_autoptr (TillShift) closed = NULL;
  g_autoptr (TillShiftReport) report = NULL;
  g_autofree char *document = NULL;
  g_autofree char *hash_hex = NULL;
  const char      *approved_by = NULL;
  gint64           closed_us = g_get_real_time ();
  gint64           journal_seq = 0;

  if (shift == NULL)
    return FALSE;
  if (shift->state != TILL_SHIFT_STATE_CLOSING || shift->counted < 0)
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_COUNTED,
                   _ ("Count the drawer before closing the shift"));
      return FALSE;
    }
  if (till_shift_variance_needs_approval (store, shift))
    {
      const char *supervisor = NULL;

      /* Checked before the permission, so that a supervisor is never asked
       * to accept a difference nobody explained. */
      if (reason == NULL)
        {
          g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_REASON,
                       _ ("The count is off by more than the store allows: give a reason"));
          return FALSE;
        }
      if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_ACCEPT_VARIANCE,
                                             override, &supervisor, error))
        return FALSE;
      approved_by = supervisor != NULL ? supervisor : till_user_get_code (user);
    }

  if (!close_shift_row (store, shift, user, closed_us, handover, reason, approved_by, error))
    return FALSE;
  closed = till_shift_load (store, shift->uuid, error);
  if (closed == NULL)
    return FALSE;
  report = shift_report (store, closed, TILL_SHIFT_REPORT_CLOSE, error);
  if (report == NULL)
    return FALSE;
  document = shift_document (report, closed);
  return journal_append (journal, "shift-close", closed->uuid, closed_us, document, &journal_seq,
                         &hash_hex, error) &&
         till_outbox_append (store, "shift", "shift", closed->uuid, document, journal_seq, hash_hex,
                             closed_us, error);
}

/**
 * till_shift_finish_close:
 * @reason: (nullable): why the count is off; required above the threshold
 *
 * See the header.
 */
gboolean
till_shift_finish_close (TillStore          *store,
                         TillJournal        *journal,
                         TillUser           *user,
                         gboolean            handover,
                         const char         *reason,
                         const TillOverride *override,
                         GError            **error)
{
  g_autofree char *stripped = NULL;

  SHIFT_ACT_PRECONDITIONS (store, journal, user, FALSE);

  stripped = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  if (*stripped == '\0' || !g_utf8_validate (stripped, -1, NULL))
    g_clear_pointer (&stripped, g_free);

  if (!till_store_begin (store, error))
    return FALSE;
  if (!finish_close_in_transaction (store, journal, user, handover, stripped, override, error) ||
      !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* --- Reports ---------------------------------------------------------------- */

/**
 * till_shift_x_report:
 * See the header. Refused while the shift is being closed: the expected
 * cash is never shown before the blind count.
 *
 * Returns: (transfer full): the report, or %NULL with @error set
 */
TillShiftReport *
till_shift_x_report (TillStore          *store,
                     TillJournal        *journal,
                     TillUser           *user,
                     const TillOverride *override,
                     GError            **error)
{
  g_autoptr (TillShift) shift = NULL;
  g_autoptr (TillShiftReport) report = NULL;
  g_autofree char *document = NULL;

  SHIFT_ACT_PRECONDITIONS (store, journal, user, NULL);

  if (!till_store_begin (store, error))
    return NULL;
  shift = require_open (store, error);
  if (shift == NULL || !check_owner (store, journal, user, shift, override, error))
    goto fail;
  report = shift_report (store, shift, TILL_SHIFT_REPORT_X, error);
  if (report == NULL)
    goto fail;
  document = shift_document (report, shift);
  if (!journal_append (journal, "x-report", shift->uuid, report->created_us, document, NULL, NULL,
                       error) ||
      !till_store_commit (store, error))
    goto fail;
  return g_steal_pointer (&report);

fail:
  till_store_rollback (store);
  return NULL;
}

/**
 * till_shift_close_report:
 *
 * Returns: (transfer full): the report, or %NULL with @error set
 *   (TILL_SHIFT_ERROR_NOT_COUNTED before the count)
 */
TillShiftReport *
till_shift_close_report (TillStore *store, const char *shift_uuid, GError **error)
{
  g_autoptr (TillShift) shift = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (shift_uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  shift = till_shift_load (store, shift_uuid, error);
  if (shift == NULL)
    return NULL;
  if (shift->counted < 0)
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_COUNTED,
                   _ ("The shift has not been counted yet"));
      return NULL;
    }
  return shift_report (store, shift, TILL_SHIFT_REPORT_CLOSE, error);
}

/* --- The Z report ------------------------------------------------------------ */

/* The last Z's grand totals (zero before the first) and the next number. */
static gboolean
read_last_z (TillStore *store, ZFigures *next, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT z_no, grand_total, grand_sales, grand_returns FROM z_report "
                             "ORDER BY z_no DESC LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      next->z_no = sqlite3_column_int64 (stmt, 0) + 1;
      next->grand_total = sqlite3_column_int64 (stmt, 1);
      next->grand_sales = sqlite3_column_int64 (stmt, 2);
      next->grand_returns = sqlite3_column_int64 (stmt, 3);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the last Z report"));
      return FALSE;
    }
  next->z_no = 1;
  return TRUE;
}

static gboolean
insert_z_report (TillStore       *store,
                 const char      *uuid,
                 const ZFigures  *z,
                 TillShiftReport *report,
                 gint64           journal_seq,
                 GError         **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO z_report (z_no, uuid, day_uuid, opened_us, closed_us, "
                             "sales_total, returns_total, grand_total, grand_sales, grand_returns, "
                             "user_code, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, z->z_no);
  sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, z->day_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, z->opened_us);
  sqlite3_bind_int64 (stmt, 5, z->closed_us);
  sqlite3_bind_int64 (stmt, 6, report->totals.sales.amount);
  sqlite3_bind_int64 (stmt, 7, report->totals.returns.amount);
  sqlite3_bind_int64 (stmt, 8, z->grand_total);
  sqlite3_bind_int64 (stmt, 9, z->grand_sales);
  sqlite3_bind_int64 (stmt, 10, z->grand_returns);
  sqlite3_bind_text (stmt, 11, z->user_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 12, journal_seq);
  return till_store_step_done (store, stmt, error);
}

/* The day closes with its number; a float handed over in it is dropped (the
 * next day starts with a fresh count). */
static gboolean
close_day (TillStore *store, const ZFigures *z, GError **error)
{
  g_autoptr (TillStmt) day_stmt = NULL;
  g_autoptr (TillStmt) handover_stmt = NULL;

  day_stmt = till_store_prepare (store, "UPDATE business_day SET z_no = ? WHERE uuid = ?", error);
  if (day_stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (day_stmt, 1, z->z_no);
  sqlite3_bind_text (day_stmt, 2, z->day_uuid, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, day_stmt, error))
    return FALSE;
  handover_stmt = till_store_prepare (store,
                                      "UPDATE shift SET handover_taken = 1 WHERE day_uuid = ? "
                                      "AND handover = 1 AND handover_taken = 0",
                                      error);
  if (handover_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (handover_stmt, 1, z->day_uuid, -1, SQLITE_STATIC);
  return till_store_step_done (store, handover_stmt, error);
}

static TillShiftReport *
z_report_in_transaction (TillStore          *store,
                         TillJournal        *journal,
                         TillUser           *user,
                         const TillOverride *override,
                         GError            **error)
{
  g_autoptr (TillShiftReport) report = NULL;
  g_autoptr (TillShiftReport) day_report = NULL;
  g_autofree char *day_uuid = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  g_autofree char *document = NULL;
  g_autofree char *hash_hex = NULL;
  ZFigures         z = { 0 };
  gint64           journal_seq = 0;
  const char      *approved_by;

  if (set_error_if_open (store, TILL_SHIFT_ERROR_SHIFT_OPEN,
                         _ ("Close the open shift before the Z report"), error) ||
      !till_permission_check_user_first (store, journal, user, TILL_PERMISSION_Z_REPORT, override,
                                         &approved_by, error))
    return NULL;
  day_uuid = open_or_start_day (store, &z.opened_us, error);
  if (day_uuid == NULL || !read_last_z (store, &z, error))
    return NULL;
  z.day_uuid = day_uuid;
  z.user_code = till_user_get_code (user);
  z.closed_us = g_get_real_time ();

  /* The day's sales and returns carry the perpetual totals on. */
  day_report = till_shift_report_new (TILL_SHIFT_REPORT_Z);
  if (!load_totals (store, day_uuid, &day_report->totals, error))
    return NULL;
  z.grand_sales += day_report->totals.sales.amount;
  z.grand_returns += day_report->totals.returns.amount;
  z.grand_total += day_report->totals.sales.amount - day_report->totals.returns.amount;

  report = z_report_build (store, &z, error);
  if (report == NULL)
    return NULL;
  document = z_document (store, report, uuid);
  if (!journal_append (journal, "z-report", uuid, z.closed_us, document, &journal_seq, &hash_hex,
                       error) ||
      !insert_z_report (store, uuid, &z, report, journal_seq, error) ||
      !close_day (store, &z, error) ||
      !till_outbox_append (store, "z-report", "z_report", uuid, document, journal_seq, hash_hex,
                           z.closed_us, error))
    return NULL;
  return g_steal_pointer (&report);
}

/**
 * till_shift_z_report:
 * See the header.
 *
 * Returns: (transfer full): the Z report, or %NULL with @error set
 */
TillShiftReport *
till_shift_z_report (TillStore          *store,
                     TillJournal        *journal,
                     TillUser           *user,
                     const TillOverride *override,
                     GError            **error)
{
  g_autoptr (TillShiftReport) report = NULL;

  SHIFT_ACT_PRECONDITIONS (store, journal, user, NULL);

  if (!till_store_begin (store, error))
    return NULL;
  report = z_report_in_transaction (store, journal, user, override, error);
  if (report == NULL || !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&report);
}

/**
 * till_shift_load_z_report:
 *
 * Returns: (transfer full): Z report @z_no as it was taken, or %NULL with
 *   @error set (TILL_SHIFT_ERROR_NOT_FOUND when there is none)
 */
TillShiftReport *
till_shift_load_z_report (TillStore *store, gint64 z_no, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *day_uuid = NULL;
  g_autofree char *user_code = NULL;
  ZFigures         z = { 0 };
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT day_uuid, opened_us, closed_us, grand_total, grand_sales, "
                             "grand_returns, user_code FROM z_report WHERE z_no = ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, z_no);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_FOUND,
                   _ ("There is no Z report %" PRId64), z_no);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the Z report"));
      return NULL;
    }
  day_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  user_code = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  z.z_no = z_no;
  z.day_uuid = day_uuid;
  z.user_code = user_code;
  z.opened_us = sqlite3_column_int64 (stmt, 1);
  z.closed_us = sqlite3_column_int64 (stmt, 2);
  z.grand_total = sqlite3_column_int64 (stmt, 3);
  z.grand_sales = sqlite3_column_int64 (stmt, 4);
  z.grand_returns = sqlite3_column_int64 (stmt, 5);
  g_clear_pointer (&stmt, till_stmt_release);
  return z_report_build (store, &z, error);
}

/**
 * till_shift_get_last_z_no:
 *
 * Returns: the last Z number, 0 before the first, -1 with @error set
 */
gint64
till_shift_get_last_z_no (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = till_store_prepare (store, "SELECT coalesce (max (z_no), 0) FROM z_report", error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the last Z report"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}
