/* till-shift.c: shifts and cash accountability (交接班), X and Z reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-shift"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "till-shift.h"

/* A count or a movement above this is a slip of the finger: ¥10,000,000. */
#define MAX_CASH_FEN G_GINT64_CONSTANT (1000000000)

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
