/* till-report.c: sales, stock, member and finance reports from rollups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rollups (migration 12, report_* tables) and what folds into them:
 *
 *  report_sale_hour (day, hour, cashier_code, member): a sale counts in the
 *    local day and hour of its created_us, under its cashier, member = 1
 *    when it names a member. gross = Σ line amount + line, sale and
 *    promotion discounts; discount = Σ line and sale discounts; promotion =
 *    Σ promotion discounts; net = Σ line amounts (the sale's subtotal:
 *    rounding is not a sale); cost = Σ line cost. A return counts in its own
 *    day, hour and cashier, and under the member of the sale it returns:
 *    returns (how many), refunded (Σ its line amounts: the goods' value, not
 *    the money paid back, which is in report_tender_day) and returned_cost.
 *  report_product_day, report_product_month: the same per product (lines,
 *    quantity sold, gross, net, cost; quantity returned, refunded,
 *    returned_cost). Months are "YYYY-MM".
 *  report_tender_day: payments per method (count, amount) and refund
 *    payments per method (refunds, refunded) of the returns folded.
 *  report_void_day: the journal's void-line (amount: the line's) and
 *    void-sale (amount: the cart's total) entries per cashier (user_code).
 *  report_stock_day, report_stock_month: stock_move deltas in the 'stock'
 *    location per product and day or month; day_delta = Σ delta × the day's
 *    number (days since 1970-01-01 of the local date), so that the average
 *    level over whole months needs no daily rows.
 *  report_member_day: per member and day: sales, net, points earned, and the
 *    returns of their sales (returns, refunded).
 *
 * A line's cost is sale_line.unit_cost (product.cost for lines recorded
 * before migration 12) × quantity, half-up to the fen.
 *
 * report_mark holds how far each source was folded: 'sale' and 'return'
 * (journal_seq), 'void' (journal seq), 'stock' (stock_move.id).
 *
 * Report columns, by stable id (values: COUNT, MONEY in fen, QUANTITY in
 * thousandths, PERCENT in basis points, DAYS in tenths):
 *
 *  Sales reports (SALES_BY_PERIOD, SALES_BY_HOUR, BY_CASHIER,
 *  MEMBERS_VS_OTHERS): sales, items, gross, discount, promotion, net,
 *    returns, refunded, cost (of goods sold less returned), profit
 *    (net − refunded − cost), margin (profit / (net − refunded)), basket
 *    (net / sales), items_per_basket (QUANTITY). Keys: the day, the week's
 *    Monday or "YYYY-MM"; "00".."23"; the cashier code; "member"/"other".
 *    SALES_BY_PERIOD has a row for every period of the range.
 *  HOUR_HEATMAP: rows "mon".."sun", columns "h00".."h23": net; no totals.
 *  BY_CATEGORY, BY_PRODUCT: quantity (sold), returned (quantity), gross,
 *    net, refunded, cost, profit, margin, share (of net). Keys: the category
 *    id ("none" without one), the SKU. BY_PRODUCT's totals cover every
 *    product of the category, not only the rows shown.
 *  BY_TENDER: count, amount, refunds, refunded, net (amount − refunded),
 *    share (of amount). Keys: the method.
 *  RETURNS_VOIDS: returns, refunded, void_lines, void_line_amount,
 *    void_sales, void_sale_amount, per period as SALES_BY_PERIOD.
 *  INVENTORY: stock (now, 'stock' location), unit_cost (product.cost),
 *    value (stock × cost), sold (less returned, in the range), cogs,
 *    avg_value (the average of the levels at the end of each day of the
 *    range, × cost), turnover (cogs / avg_value, basis points: 25000 = 2.5
 *    times), cover (stock / sold per day, tenths of a day; -1 when nothing
 *    sold). Keys: the SKU; rows by value, largest first.
 *  MEMBERS: sales, net, refunded, points (earned by the sales), basket; the
 *    top members by net, keyed by member id, labelled with the masked
 *    phone their last sale printed.
 *  FINANCE: count, amount; rows "income:METHOD", "refund:METHOD",
 *    "cash-in", "cash-out", "cash-drop" (cash_movement), "gross",
 *    "discount", "promotion", "net", "refunded", "cogs", "gross-profit".
 */
#define G_LOG_DOMAIN "till-report"

#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <glib/gi18n-lib.h>

#include "till-money.h"
#include "till-report.h"
#include "till-store.h"

#define DEFAULT_LIMIT 50
/* How long a reader waits for the till's writer before giving up. */
#define READER_BUSY_TIMEOUT_MS 5000
/* An empty BETWEEN range for the pieces of a range that are not there. */
#define EMPTY_FROM "9"
#define EMPTY_TO "0"

G_DEFINE_QUARK (till_report_error_quark, till_report_error)

/* --- Kinds ---------------------------------------------------------------- */

static const struct
{
  const char *name;
  const char *title;
} kinds[] = {
  [TILL_REPORT_SALES_BY_PERIOD] = { "sales-by-period", N_ ("Sales by period") },
  [TILL_REPORT_SALES_BY_HOUR] = { "sales-by-hour", N_ ("Sales by hour of day") },
  [TILL_REPORT_HOUR_HEATMAP] = { "hour-heatmap", N_ ("Sales by weekday and hour") },
  [TILL_REPORT_BY_CATEGORY] = { "by-category", N_ ("Sales by category") },
  [TILL_REPORT_BY_PRODUCT] = { "by-product", N_ ("Best sellers") },
  [TILL_REPORT_BY_CASHIER] = { "by-cashier", N_ ("Sales by cashier") },
  [TILL_REPORT_BY_TENDER] = { "by-tender", N_ ("Sales by tender") },
  [TILL_REPORT_MEMBERS_VS_OTHERS] = { "members-vs-others", N_ ("Members and other customers") },
  [TILL_REPORT_RETURNS_VOIDS] = { "returns-voids", N_ ("Returns and voids") },
  [TILL_REPORT_INVENTORY] = { "inventory", N_ ("Inventory value and turnover") },
  [TILL_REPORT_MEMBERS] = { "members", N_ ("Members") },
  [TILL_REPORT_FINANCE] = { "finance", N_ ("Finance") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == TILL_N_REPORT_KINDS);

const char *
till_report_kind_to_string (TillReportKind kind)
{
  g_return_val_if_fail ((guint) kind < TILL_N_REPORT_KINDS, NULL);
  return kinds[kind].name;
}

gboolean
till_report_kind_from_string (const char *text, TillReportKind *out_kind)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (text, kinds[i].name) == 0)
      {
        *out_kind = (TillReportKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
till_report_kind_get_title (TillReportKind kind)
{
  g_return_val_if_fail ((guint) kind < TILL_N_REPORT_KINDS, NULL);
  return _ (kinds[kind].title);
}

/* --- The report ------------------------------------------------------------ */

static void
column_free (TillReportColumn *column)
{
  g_free (column->id);
  g_free (column->title);
  g_free (column);
}

static void
row_free (TillReportRow *row)
{
  if (row == NULL)
    return;
  g_free (row->key);
  g_free (row->label);
  g_free (row->values);
  g_free (row);
}

static void
headline_free (TillReportHeadline *headline)
{
  g_free (headline->id);
  g_free (headline->title);
  g_free (headline);
}

static void
report_clear (TillReport *report)
{
  g_free (report->title);
  g_free (report->from_day);
  g_free (report->to_day);
  g_clear_pointer (&report->columns, g_ptr_array_unref);
  g_clear_pointer (&report->rows, g_ptr_array_unref);
  g_clear_pointer (&report->totals, row_free);
  g_clear_pointer (&report->headlines, g_ptr_array_unref);
}

TillReport *
till_report_ref (TillReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return g_atomic_rc_box_acquire (report);
}

void
till_report_unref (TillReport *report)
{
  g_return_if_fail (report != NULL);
  g_atomic_rc_box_release_full (report, (GDestroyNotify) report_clear);
}

int
till_report_find_column (const TillReport *report, const char *id)
{
  g_return_val_if_fail (report != NULL, -1);
  g_return_val_if_fail (id != NULL, -1);

  for (guint i = 0; i < report->columns->len; i++)
    if (strcmp (((TillReportColumn *) g_ptr_array_index (report->columns, i))->id, id) == 0)
      return (int) i;
  return -1;
}

const TillReportRow *
till_report_find_row (const TillReport *report, const char *key)
{
  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < report->rows->len; i++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, i);

      if (strcmp (row->key, key) == 0)
        return row;
    }
  return NULL;
}

/* "12.3" from a count of tenths (basis points / 10 for percentages). */
static char *
format_tenths (gint64 tenths, const char *suffix)
{
  guint64 magnitude = tenths < 0 ? -(guint64) tenths : (guint64) tenths;

  return g_strdup_printf ("%s%" PRIu64 ".%u%s", tenths < 0 ? "-" : "", magnitude / 10,
                          (guint) (magnitude % 10), suffix);
}

/**
 * till_report_format_value:
 *
 * Returns: (transfer full): money "1234.50", a percentage "25.3%", a
 *   quantity "3" or "1.250", a count "3", days "12.5" ("-" for -1: nothing
 *   sold, so the stock lasts for ever).
 */
char *
till_report_format_value (TillReportValueKind kind, gint64 value)
{
  switch (kind)
    {
    case TILL_REPORT_VALUE_MONEY:
      return till_money_format (value);
    case TILL_REPORT_VALUE_PERCENT:
      return format_tenths (till_money_round_half_up (value, 10), "%");
    case TILL_REPORT_VALUE_QUANTITY:
      if (value % TILL_QUANTITY_ONE == 0)
        return g_strdup_printf ("%" PRId64, value / TILL_QUANTITY_ONE);
      return g_strdup_printf (
          "%s%" PRIu64 ".%03u", value < 0 ? "-" : "",
          (value < 0 ? -(guint64) value : (guint64) value) / TILL_QUANTITY_ONE,
          (guint) ((value < 0 ? -(guint64) value : (guint64) value) % TILL_QUANTITY_ONE));
    case TILL_REPORT_VALUE_DAYS:
      if (value < 0)
        return g_strdup ("-");
      return format_tenths (value, "");
    case TILL_REPORT_VALUE_COUNT:
    default:
      return g_strdup_printf ("%" PRId64, value);
    }
}

typedef struct
{
  const char         *id;
  const char         *title;
  TillReportValueKind kind;
} ColumnSpec;

static TillReport *
report_new (TillReportKind kind, TillReportChartKind chart)
{
  TillReport *report = g_atomic_rc_box_new0 (TillReport);

  report->kind = kind;
  report->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  report->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  report->headlines = g_ptr_array_new_with_free_func ((GDestroyNotify) headline_free);
  report->chart = chart;
  return report;
}

static void
report_add_columns (TillReport *report, const ColumnSpec *specs, guint n_specs)
{
  for (guint i = 0; i < n_specs; i++)
    {
      TillReportColumn *column = g_new0 (TillReportColumn, 1);

      column->id = g_strdup (specs[i].id);
      column->title = g_strdup (_ (specs[i].title));
      column->kind = specs[i].kind;
      g_ptr_array_add (report->columns, column);
    }
}

static TillReportRow *
row_new (const TillReport *report, const char *key, const char *label)
{
  TillReportRow *row = g_new0 (TillReportRow, 1);

  row->key = g_strdup (key);
  row->label = g_strdup (label != NULL && *label != '\0' ? label : key);
  row->values = g_new0 (gint64, MAX (report->columns->len, 1));
  return row;
}

static TillReportRow *
report_add_row (TillReport *report, const char *key, const char *label)
{
  TillReportRow *row = row_new (report, key, label);

  g_ptr_array_add (report->rows, row);
  return row;
}

static void
report_add_headline (
    TillReport *report, const char *id, const char *title, TillReportValueKind kind, gint64 value)
{
  TillReportHeadline *headline = g_new0 (TillReportHeadline, 1);

  headline->id = g_strdup (id);
  headline->title = g_strdup (title);
  headline->kind = kind;
  headline->value = value;
  g_ptr_array_add (report->headlines, headline);
}

/* @part of @whole in basis points, 0 when there is no whole. */
static gint64
ratio_bp (gint64 part, gint64 whole)
{
  return whole > 0 ? till_money_round_half_up (part * 10000, whole) : 0;
}

static gint64
average (gint64 sum, gint64 count)
{
  return count > 0 ? till_money_round_half_up (sum, count) : 0;
}

/* --- Days and ranges ------------------------------------------------------- */

static gboolean
parse_day (const char *text, GDate *out_date)
{
  guint year, month, day;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  year = (guint) g_ascii_strtoull (text, NULL, 10);
  month = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  day = (guint) g_ascii_strtoull (text + 8, NULL, 10);
  if (year < 1 || year > 9999 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return FALSE;
  g_date_clear (out_date, 1);
  g_date_set_dmy (out_date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

static void
format_day (const GDate *date, char out[11])
{
  g_snprintf (out, 11, "%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
              g_date_get_day (date));
}

static void
format_month (const GDate *date, char out[8])
{
  g_snprintf (out, 8, "%04u-%02u", g_date_get_year (date), g_date_get_month (date));
}

/* Days since 1970-01-01 of a calendar date, as the rollups number days. */
static gint64
day_number (const GDate *date)
{
  GDate epoch;

  g_date_clear (&epoch, 1);
  g_date_set_dmy (&epoch, 1, G_DATE_JANUARY, 1970);
  return (gint64) g_date_get_julian (date) - (gint64) g_date_get_julian (&epoch);
}

static gint64
local_midnight_us (const GDate *date)
{
  g_autoptr (GDateTime) midnight = g_date_time_new_local (
      g_date_get_year (date), g_date_get_month (date), g_date_get_day (date), 0, 0, 0);

  return g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
}

/* A report's range, cut into what the monthly rollups answer (whole months)
 * and the days before and after them. An absent piece is an empty range. */
typedef struct
{
  GDate  from, to;
  char   from_day[11], to_day[11];
  gint64 n_days;
  gint64 from_number;     /* day_number (from) */
  gint64 from_us, end_us; /* [from 00:00, the day after to 00:00) local */
  char   head_from[11], head_to[11];
  char   month_from[8], month_to[8];
  char   tail_from[11], tail_to[11];
  char   to_month[8];  /* the month of to */
  char   after_to[11]; /* the first day of the month after to */
} Range;

static void
range_cut (Range *range)
{
  GDate cursor = range->from;

  strcpy (range->head_from, EMPTY_FROM);
  strcpy (range->head_to, EMPTY_TO);
  strcpy (range->month_from, EMPTY_FROM);
  strcpy (range->month_to, EMPTY_TO);
  strcpy (range->tail_from, EMPTY_FROM);
  strcpy (range->tail_to, EMPTY_TO);

  if (g_date_get_day (&cursor) != 1)
    {
      GDate end = cursor;

      g_date_set_day (&end,
                      g_date_get_days_in_month (g_date_get_month (&end), g_date_get_year (&end)));
      if (g_date_compare (&end, &range->to) > 0)
        end = range->to;
      format_day (&cursor, range->head_from);
      format_day (&end, range->head_to);
      cursor = end;
      g_date_add_days (&cursor, 1);
    }
  while (g_date_compare (&cursor, &range->to) <= 0)
    {
      GDate end = cursor;

      g_date_set_day (&end,
                      g_date_get_days_in_month (g_date_get_month (&end), g_date_get_year (&end)));
      if (g_date_compare (&end, &range->to) > 0)
        break;
      if (strcmp (range->month_from, EMPTY_FROM) == 0)
        format_month (&cursor, range->month_from);
      format_month (&cursor, range->month_to);
      cursor = end;
      g_date_add_days (&cursor, 1);
    }
  if (g_date_compare (&cursor, &range->to) <= 0)
    {
      format_day (&cursor, range->tail_from);
      format_day (&range->to, range->tail_to);
    }
}

static gboolean
range_init (Range *range, const char *from_day, const char *to_day, GError **error)
{
  GDate after;

  if (!parse_day (from_day, &range->from) || !parse_day (to_day, &range->to))
    {
      g_set_error (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_RANGE,
                   _ ("“%s” is not a day: write it as YYYY-MM-DD"),
                   parse_day (from_day, &after) ? to_day : from_day);
      return FALSE;
    }
  if (g_date_compare (&range->from, &range->to) > 0)
    {
      g_set_error (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_RANGE,
                   _ ("The range ends on %1$s, before it starts on %2$s"), to_day, from_day);
      return FALSE;
    }
  format_day (&range->from, range->from_day);
  format_day (&range->to, range->to_day);
  range->n_days = g_date_days_between (&range->from, &range->to) + 1;
  range->from_number = day_number (&range->from);
  range->from_us = local_midnight_us (&range->from);
  after = range->to;
  g_date_add_days (&after, 1);
  range->end_us = local_midnight_us (&after);
  format_month (&range->to, range->to_month);
  g_date_set_day (&after, 1);
  if (g_date_get_month (&after) == g_date_get_month (&range->to))
    g_date_add_months (&after, 1);
  format_day (&after, range->after_to);
  range_cut (range);
  return TRUE;
}

/* --- Running a report -------------------------------------------------------- */

typedef struct
{
  sqlite3               *db;
  const TillReportQuery *query;
  GCancellable          *cancellable;
  Range                  range;
  guint                  limit;
} Run;

static gboolean
run_failed (Run *run, GError **error, const char *what)
{
  g_set_error (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_FAILED, "%s: %s", what,
               sqlite3_errmsg (run->db));
  return FALSE;
}

static void
bind_text (sqlite3_stmt *stmt, const char *name, const char *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
}

static void
bind_int64 (sqlite3_stmt *stmt, const char *name, gint64 value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_int64 (stmt, index, value);
}

/* A statement with the range's parameters bound (those it names), after
 * checking whether the caller gave up. */
static sqlite3_stmt *
run_prepare (Run *run, const char *sql, GError **error)
{
  const Range  *range = &run->range;
  sqlite3_stmt *stmt = NULL;

  if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
    return NULL;
  if (sqlite3_prepare_v2 (run->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      run_failed (run, error, "preparing a report query");
      sqlite3_finalize (stmt);
      return NULL;
    }
  bind_text (stmt, ":from", range->from_day);
  bind_text (stmt, ":to", range->to_day);
  bind_text (stmt, ":head_from", range->head_from);
  bind_text (stmt, ":head_to", range->head_to);
  bind_text (stmt, ":month_from", range->month_from);
  bind_text (stmt, ":month_to", range->month_to);
  bind_text (stmt, ":tail_from", range->tail_from);
  bind_text (stmt, ":tail_to", range->tail_to);
  bind_text (stmt, ":to_month", range->to_month);
  bind_text (stmt, ":after_to", range->after_to);
  bind_int64 (stmt, ":from_number", range->from_number);
  bind_int64 (stmt, ":from_us", range->from_us);
  bind_int64 (stmt, ":end_us", range->end_us);
  bind_int64 (stmt, ":category", run->query->category_id);
  return stmt;
}

static gboolean
run_finish (Run *run, int rc, GError **error)
{
  if (rc != SQLITE_DONE)
    return run_failed (run, error, "reading the rollups");
  return TRUE;
}

static const char *
column_text (sqlite3_stmt *stmt, int column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? text : "";
}

/* --- Sales figures (report_sale_hour) -------------------------------------- */

typedef struct
{
  gint64 sales, items, lines, gross, discount, promotion, net, cost;
  gint64 returns, refunded, returned_cost;
} SalesSums;

#define SALES_SUMS_SQL                                                                    \
  "SUM (sales), SUM (items), SUM (lines), SUM (gross), SUM (discount), SUM (promotion), " \
  "SUM (net), SUM (cost), SUM (returns), SUM (refunded), SUM (returned_cost)"

static void
sales_sums_read (SalesSums *sums, sqlite3_stmt *stmt, int first)
{
  gint64 *fields[] = { &sums->sales,    &sums->items,     &sums->lines,        &sums->gross,
                       &sums->discount, &sums->promotion, &sums->net,          &sums->cost,
                       &sums->returns,  &sums->refunded,  &sums->returned_cost };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    *fields[i] = sqlite3_column_int64 (stmt, first + (int) i);
}

static void
sales_sums_add (SalesSums *to, const SalesSums *from)
{
  to->sales += from->sales;
  to->items += from->items;
  to->lines += from->lines;
  to->gross += from->gross;
  to->discount += from->discount;
  to->promotion += from->promotion;
  to->net += from->net;
  to->cost += from->cost;
  to->returns += from->returns;
  to->refunded += from->refunded;
  to->returned_cost += from->returned_cost;
}

enum
{
  SALES_SALES,
  SALES_ITEMS,
  SALES_GROSS,
  SALES_DISCOUNT,
  SALES_PROMOTION,
  SALES_NET,
  SALES_RETURNS,
  SALES_REFUNDED,
  SALES_COST,
  SALES_PROFIT,
  SALES_MARGIN,
  SALES_BASKET,
  SALES_ITEMS_PER_BASKET,
  N_SALES_COLUMNS
};

static const ColumnSpec sales_columns[] = {
  { "sales", N_ ("Sales"), TILL_REPORT_VALUE_COUNT },
  { "items", N_ ("Items"), TILL_REPORT_VALUE_COUNT },
  { "gross", N_ ("Gross"), TILL_REPORT_VALUE_MONEY },
  { "discount", N_ ("Discounts"), TILL_REPORT_VALUE_MONEY },
  { "promotion", N_ ("Promotions"), TILL_REPORT_VALUE_MONEY },
  { "net", N_ ("Net sales"), TILL_REPORT_VALUE_MONEY },
  { "returns", N_ ("Returns"), TILL_REPORT_VALUE_COUNT },
  { "refunded", N_ ("Returned value"), TILL_REPORT_VALUE_MONEY },
  { "cost", N_ ("Cost of goods"), TILL_REPORT_VALUE_MONEY },
  { "profit", N_ ("Gross profit"), TILL_REPORT_VALUE_MONEY },
  { "margin", N_ ("Margin"), TILL_REPORT_VALUE_PERCENT },
  { "basket", N_ ("Average basket"), TILL_REPORT_VALUE_MONEY },
  { "items_per_basket", N_ ("Items per basket"), TILL_REPORT_VALUE_QUANTITY },
};

G_STATIC_ASSERT (G_N_ELEMENTS (sales_columns) == N_SALES_COLUMNS);

static void
sales_values (gint64 *values, const SalesSums *sums)
{
  gint64 cost = sums->cost - sums->returned_cost;
  gint64 profit = sums->net - sums->refunded - cost;

  values[SALES_SALES] = sums->sales;
  values[SALES_ITEMS] = sums->items;
  values[SALES_GROSS] = sums->gross;
  values[SALES_DISCOUNT] = sums->discount;
  values[SALES_PROMOTION] = sums->promotion;
  values[SALES_NET] = sums->net;
  values[SALES_RETURNS] = sums->returns;
  values[SALES_REFUNDED] = sums->refunded;
  values[SALES_COST] = cost;
  values[SALES_PROFIT] = profit;
  values[SALES_MARGIN] = ratio_bp (profit, sums->net - sums->refunded);
  values[SALES_BASKET] = average (sums->net, sums->sales);
  values[SALES_ITEMS_PER_BASKET] = average (sums->items * TILL_QUANTITY_ONE, sums->sales);
}

static TillReport *
sales_report_new (TillReportKind kind, TillReportChartKind chart)
{
  TillReport *report = report_new (kind, chart);

  report_add_columns (report, sales_columns, N_SALES_COLUMNS);
  report->chart_column = SALES_NET;
  return report;
}

static void
sales_report_finish (TillReport *report, const SalesSums *total)
{
  gint64 *values;

  report->totals = row_new (report, "total", _ ("Totals"));
  sales_values (report->totals->values, total);
  values = report->totals->values;
  report_add_headline (report, "net", _ ("Net sales"), TILL_REPORT_VALUE_MONEY, values[SALES_NET]);
  report_add_headline (report, "sales", _ ("Sales"), TILL_REPORT_VALUE_COUNT, values[SALES_SALES]);
  report_add_headline (report, "basket", _ ("Average basket"), TILL_REPORT_VALUE_MONEY,
                       values[SALES_BASKET]);
  report_add_headline (report, "items_per_basket", _ ("Items per basket"),
                       TILL_REPORT_VALUE_QUANTITY, values[SALES_ITEMS_PER_BASKET]);
  report_add_headline (report, "margin", _ ("Gross margin"), TILL_REPORT_VALUE_PERCENT,
                       values[SALES_MARGIN]);
  report_add_headline (report, "profit", _ ("Gross profit"), TILL_REPORT_VALUE_MONEY,
                       values[SALES_PROFIT]);
}

/* --- Periods ------------------------------------------------------------------ */

/* The key of the period @date falls in: the day, the week's Monday, the month. */
static void
period_key (const GDate *date, TillReportPeriod period, char out[11])
{
  GDate monday = *date;

  switch (period)
    {
    case TILL_REPORT_PERIOD_WEEK:
      g_date_subtract_days (&monday, g_date_get_weekday (date) - G_DATE_MONDAY);
      format_day (&monday, out);
      break;
    case TILL_REPORT_PERIOD_MONTH:
      format_month (date, out);
      break;
    case TILL_REPORT_PERIOD_DAY:
    default:
      format_day (date, out);
      break;
    }
}

/* A row for every period of the range, in order; @index maps a period's key
 * to its row. */
static void
add_period_rows (TillReport *report, const Range *range, TillReportPeriod period, GHashTable *index)
{
  GDate date = range->from;
  char  last[11] = "";

  while (g_date_compare (&date, &range->to) <= 0)
    {
      char key[11];

      period_key (&date, period, key);
      if (strcmp (key, last) != 0)
        {
          g_autofree char *label = period == TILL_REPORT_PERIOD_WEEK
                                       ? g_strdup_printf (_ ("Week of %s"), key)
                                       : g_strdup (key);
          TillReportRow   *row = report_add_row (report, key, label);

          g_hash_table_insert (index, row->key, row);
          strcpy (last, key);
        }
      g_date_add_days (&date, 1);
    }
}

/* The row of the period @day (a rollup's day) belongs to. */
static TillReportRow *
period_row (GHashTable *index, const char *day, TillReportPeriod period)
{
  GDate date;
  char  key[11];

  if (!parse_day (day, &date))
    return NULL;
  period_key (&date, period, key);
  return g_hash_table_lookup (index, key);
}

static gboolean
run_sales_by_period (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  SalesSums total = { 0 };
  int       rc;

  add_period_rows (report, &run->range, run->query->period, index);
  stmt = run_prepare (run,
                      "SELECT day, " SALES_SUMS_SQL " FROM report_sale_hour"
                      " WHERE day BETWEEN :from AND :to GROUP BY day",
                      error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillReportRow *row = period_row (index, column_text (stmt, 0), run->query->period);
      SalesSums      day = { 0 };
      SalesSums     *period;

      if (row == NULL)
        continue;
      sales_sums_read (&day, stmt, 1);
      period = g_hash_table_lookup (sums, row);
      if (period == NULL)
        g_hash_table_insert (sums, row, period = g_new0 (SalesSums, 1));
      sales_sums_add (period, &day);
      sales_sums_add (&total, &day);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  for (guint i = 0; i < report->rows->len; i++)
    {
      TillReportRow *row = g_ptr_array_index (report->rows, i);
      SalesSums     *period = g_hash_table_lookup (sums, row);
      SalesSums      none = { 0 };

      sales_values (row->values, period != NULL ? period : &none);
    }
  report->chart = TILL_REPORT_CHART_LINE;
  sales_report_finish (report, &total);
  return TRUE;
}

static gboolean
run_sales_by_hour (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  SalesSums hours[24] = { { 0 } };
  SalesSums total = { 0 };
  int       rc;

  stmt = run_prepare (run,
                      "SELECT hour, " SALES_SUMS_SQL " FROM report_sale_hour"
                      " WHERE day BETWEEN :from AND :to GROUP BY hour",
                      error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int hour = sqlite3_column_int (stmt, 0);

      if (hour < 0 || hour > 23)
        continue;
      sales_sums_read (&hours[hour], stmt, 1);
      sales_sums_add (&total, &hours[hour]);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  for (guint hour = 0; hour < 24; hour++)
    {
      char             key[3];
      g_autofree char *label = g_strdup_printf ("%02u:00", hour);

      g_snprintf (key, sizeof key, "%02u", hour);
      sales_values (report_add_row (report, key, label)->values, &hours[hour]);
    }
  sales_report_finish (report, &total);
  return TRUE;
}

static const char *const weekday_keys[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *const weekday_titles[] = {
  N_ ("Monday"), N_ ("Tuesday"),  N_ ("Wednesday"), N_ ("Thursday"),
  N_ ("Friday"), N_ ("Saturday"), N_ ("Sunday"),
};

static gboolean
run_hour_heatmap (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 net = 0, sales = 0;
  int    rc;

  for (guint hour = 0; hour < 24; hour++)
    {
      g_autofree char  *id = g_strdup_printf ("h%02u", hour);
      g_autofree char  *title = g_strdup_printf ("%02u", hour);
      TillReportColumn *column = g_new0 (TillReportColumn, 1);

      column->id = g_steal_pointer (&id);
      column->title = g_steal_pointer (&title);
      column->kind = TILL_REPORT_VALUE_MONEY;
      g_ptr_array_add (report->columns, column);
    }
  for (guint day = 0; day < G_N_ELEMENTS (weekday_keys); day++)
    report_add_row (report, weekday_keys[day], _ (weekday_titles[day]));

  stmt = run_prepare (run,
                      "SELECT day, hour, SUM (net), SUM (sales) FROM report_sale_hour"
                      " WHERE day BETWEEN :from AND :to GROUP BY day, hour",
                      error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GDate          date;
      int            hour = sqlite3_column_int (stmt, 1);
      TillReportRow *row;

      if (!parse_day (column_text (stmt, 0), &date) || hour < 0 || hour > 23)
        continue;
      row = g_ptr_array_index (report->rows, g_date_get_weekday (&date) - G_DATE_MONDAY);
      row->values[hour] += sqlite3_column_int64 (stmt, 2);
      net += sqlite3_column_int64 (stmt, 2);
      sales += sqlite3_column_int64 (stmt, 3);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  report->chart = TILL_REPORT_CHART_HEATMAP;
  report->chart_column = 0;
  report_add_headline (report, "net", _ ("Net sales"), TILL_REPORT_VALUE_MONEY, net);
  report_add_headline (report, "sales", _ ("Sales"), TILL_REPORT_VALUE_COUNT, sales);
  return TRUE;
}

/* BY_CASHIER and MEMBERS_VS_OTHERS: one row per group of report_sale_hour,
 * largest net first; the query's first columns are the key and the label. */
static gboolean
run_sales_grouped (Run *run, TillReport *report, const char *sql, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = run_prepare (run, sql, error);
  SalesSums total = { 0 };
  int       rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalesSums      sums = { 0 };
      TillReportRow *row = report_add_row (report, column_text (stmt, 0), column_text (stmt, 1));

      sales_sums_read (&sums, stmt, 2);
      sales_values (row->values, &sums);
      sales_sums_add (&total, &sums);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  sales_report_finish (report, &total);
  return TRUE;
}

static int
compare_rows_by_net (gconstpointer a, gconstpointer b)
{
  const TillReportRow *x = *(const TillReportRow *const *) a;
  const TillReportRow *y = *(const TillReportRow *const *) b;

  if (x->values[SALES_NET] != y->values[SALES_NET])
    return x->values[SALES_NET] > y->values[SALES_NET] ? -1 : 1;
  return strcmp (x->key, y->key);
}

static gboolean
run_by_cashier (Run *run, TillReport *report, GError **error)
{

  if (!run_sales_grouped (run, report,
                          "SELECT cashier_code, IFNULL ((SELECT name FROM user WHERE code = "
                          "cashier_code), ''), " SALES_SUMS_SQL
                          " FROM report_sale_hour WHERE day BETWEEN :from AND :to"
                          " GROUP BY cashier_code",
                          error))
    return FALSE;
  g_ptr_array_sort (report->rows, compare_rows_by_net);
  /* "王小丽 (1001)": the name and the code, as the till shows a user. */
  for (guint i = 0; i < report->rows->len; i++)
    {
      TillReportRow *row = g_ptr_array_index (report->rows, i);

      if (strcmp (row->label, row->key) != 0)
        {
          char *label = g_strdup_printf (_ ("%1$s (%2$s)"), row->label, row->key);

          g_free (row->label);
          row->label = label;
        }
    }
  return TRUE;
}

static gboolean
run_members_vs_others (Run *run, TillReport *report, GError **error)
{
  if (!run_sales_grouped (
          run, report,
          "SELECT CASE member WHEN 0 THEN 'other' ELSE 'member' END, '', " SALES_SUMS_SQL
          " FROM report_sale_hour"
          " WHERE day BETWEEN :from AND :to GROUP BY member ORDER BY member DESC",
          error))
    return FALSE;
  for (guint i = 0; i < report->rows->len; i++)
    {
      TillReportRow *row = g_ptr_array_index (report->rows, i);

      g_free (row->label);
      row->label = g_strdup (strcmp (row->key, "member") == 0 ? _ ("Members") : _ ("Others"));
    }
  report->chart = TILL_REPORT_CHART_BARS;
  return TRUE;
}

/* --- Products and categories (report_product_month and _day) ------------- */

typedef struct
{
  gint64 lines, quantity, gross, net, cost, returned, refunded, returned_cost;
} ProductSums;

/* The rollups of the range: whole months from report_product_month, the
 * days around them from report_product_day. */
#define PRODUCT_PIECES_SQL(columns)                                                     \
  "SELECT " columns " FROM report_product_month WHERE month BETWEEN :month_from AND "   \
  ":month_to UNION ALL SELECT " columns " FROM report_product_day WHERE day BETWEEN "   \
  ":head_from AND :head_to UNION ALL SELECT " columns " FROM report_product_day WHERE " \
  "day BETWEEN :tail_from AND :tail_to"

#define PRODUCT_COLUMNS_SQL \
  "product_id, lines, quantity, gross, net, cost, returned, refunded, returned_cost"

#define PRODUCT_SUMS_SQL                                                        \
  "SUM (x.lines), SUM (x.quantity), SUM (x.gross), SUM (x.net), SUM (x.cost), " \
  "SUM (x.returned), SUM (x.refunded), SUM (x.returned_cost)"

/* The categories under :category (itself included): the filter of
 * BY_PRODUCT and INVENTORY. */
#define CATEGORY_TREE_SQL                                                      \
  "tree (id) AS (SELECT :category UNION SELECT c.id FROM category c JOIN tree" \
  " ON c.parent_id = tree.id)"
#define CATEGORY_FILTER_SQL "(:category = 0 OR p.category_id IN (SELECT id FROM tree))"

static void
product_sums_read (ProductSums *sums, sqlite3_stmt *stmt, int first)
{
  gint64 *fields[] = { &sums->lines, &sums->quantity, &sums->gross,    &sums->net,
                       &sums->cost,  &sums->returned, &sums->refunded, &sums->returned_cost };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    *fields[i] = sqlite3_column_int64 (stmt, first + (int) i);
}

static void
product_sums_add (ProductSums *to, const ProductSums *from)
{
  to->lines += from->lines;
  to->quantity += from->quantity;
  to->gross += from->gross;
  to->net += from->net;
  to->cost += from->cost;
  to->returned += from->returned;
  to->refunded += from->refunded;
  to->returned_cost += from->returned_cost;
}

enum
{
  PRODUCT_QUANTITY,
  PRODUCT_RETURNED,
  PRODUCT_GROSS,
  PRODUCT_NET,
  PRODUCT_REFUNDED,
  PRODUCT_COST,
  PRODUCT_PROFIT,
  PRODUCT_MARGIN,
  PRODUCT_SHARE,
  N_PRODUCT_COLUMNS
};

static const ColumnSpec product_columns[] = {
  { "quantity", N_ ("Quantity sold"), TILL_REPORT_VALUE_QUANTITY },
  { "returned", N_ ("Quantity returned"), TILL_REPORT_VALUE_QUANTITY },
  { "gross", N_ ("Gross"), TILL_REPORT_VALUE_MONEY },
  { "net", N_ ("Net sales"), TILL_REPORT_VALUE_MONEY },
  { "refunded", N_ ("Returned value"), TILL_REPORT_VALUE_MONEY },
  { "cost", N_ ("Cost of goods"), TILL_REPORT_VALUE_MONEY },
  { "profit", N_ ("Gross profit"), TILL_REPORT_VALUE_MONEY },
  { "margin", N_ ("Margin"), TILL_REPORT_VALUE_PERCENT },
  { "share", N_ ("Share of net sales"), TILL_REPORT_VALUE_PERCENT },
};

G_STATIC_ASSERT (G_N_ELEMENTS (product_columns) == N_PRODUCT_COLUMNS);

static void
product_values (gint64 *values, const ProductSums *sums, gint64 total_net)
{
  gint64 cost = sums->cost - sums->returned_cost;
  gint64 profit = sums->net - sums->refunded - cost;

  values[PRODUCT_QUANTITY] = sums->quantity;
  values[PRODUCT_RETURNED] = sums->returned;
  values[PRODUCT_GROSS] = sums->gross;
  values[PRODUCT_NET] = sums->net;
  values[PRODUCT_REFUNDED] = sums->refunded;
  values[PRODUCT_COST] = cost;
  values[PRODUCT_PROFIT] = profit;
  values[PRODUCT_MARGIN] = ratio_bp (profit, sums->net - sums->refunded);
  values[PRODUCT_SHARE] = ratio_bp (sums->net, total_net);
}

typedef struct
{
  char       *key;
  char       *label;
  ProductSums sums;
} Grouped;

static void
grouped_free (Grouped *grouped)
{
  g_free (grouped->key);
  g_free (grouped->label);
  g_free (grouped);
}

static int
compare_grouped_by_net (gconstpointer a, gconstpointer b)
{
  const Grouped *x = *(const Grouped *const *) a;
  const Grouped *y = *(const Grouped *const *) b;

  if (x->sums.net != y->sums.net)
    return x->sums.net > y->sums.net ? -1 : 1;
  return strcmp (x->key, y->key);
}

/* Rows (at most @limit, largest net first) and totals from a query whose
 * columns are key, label, then the product sums. */
static gboolean
run_products_grouped (Run *run, TillReport *report, const char *sql, guint limit, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = run_prepare (run, sql, error);
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) grouped_free);
  ProductSums total = { 0 };
  int         rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Grouped *grouped = g_new0 (Grouped, 1);

      grouped->key = g_strdup (column_text (stmt, 0));
      grouped->label = g_strdup (column_text (stmt, 1));
      product_sums_read (&grouped->sums, stmt, 2);
      product_sums_add (&total, &grouped->sums);
      g_ptr_array_add (groups, grouped);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  g_ptr_array_sort (groups, compare_grouped_by_net);
  for (guint i = 0; i < groups->len && (limit == 0 || i < limit); i++)
    {
      Grouped *grouped = g_ptr_array_index (groups, i);

      product_values (report_add_row (report, grouped->key, grouped->label)->values, &grouped->sums,
                      total.net);
    }
  report->totals = row_new (report, "total", _ ("Totals"));
  product_values (report->totals->values, &total, total.net);
  report->chart_column = PRODUCT_NET;
  report_add_headline (report, "net", _ ("Net sales"), TILL_REPORT_VALUE_MONEY, total.net);
  report_add_headline (report, "quantity", _ ("Quantity sold"), TILL_REPORT_VALUE_QUANTITY,
                       total.quantity);
  report_add_headline (report, "profit", _ ("Gross profit"), TILL_REPORT_VALUE_MONEY,
                       report->totals->values[PRODUCT_PROFIT]);
  report_add_headline (report, "margin", _ ("Gross margin"), TILL_REPORT_VALUE_PERCENT,
                       report->totals->values[PRODUCT_MARGIN]);
  return TRUE;
}

static gboolean
run_by_product (Run *run, TillReport *report, GError **error)
{
  report_add_columns (report, product_columns, N_PRODUCT_COLUMNS);
  return run_products_grouped (
      run, report,
      "WITH RECURSIVE " CATEGORY_TREE_SQL ", pieces AS (" PRODUCT_PIECES_SQL (
          PRODUCT_COLUMNS_SQL) ")"
                               " SELECT IFNULL (p.sku, x.product_id), IFNULL (p.name, "
                               "''), " PRODUCT_SUMS_SQL
                               " FROM pieces x LEFT JOIN product p ON p.id = x.product_id"
                               " WHERE " CATEGORY_FILTER_SQL " GROUP BY x.product_id",
      run->limit, error);
}

static gboolean
run_by_category (Run *run, TillReport *report, GError **error)
{
  report_add_columns (report, product_columns, N_PRODUCT_COLUMNS);
  if (!run_products_grouped (
          run, report,
          "WITH pieces AS (" PRODUCT_PIECES_SQL (
              PRODUCT_COLUMNS_SQL) ")"
                                   " SELECT IFNULL (p.category_id, 'none'), IFNULL (c.name, "
                                   "''), " PRODUCT_SUMS_SQL
                                   " FROM pieces x LEFT JOIN product p ON p.id = x.product_id"
                                   " LEFT JOIN category c ON c.id = p.category_id GROUP BY "
                                   "p.category_id",
          0, error))
    return FALSE;
  for (guint i = 0; i < report->rows->len; i++)
    {
      TillReportRow *row = g_ptr_array_index (report->rows, i);

      if (strcmp (row->key, "none") == 0)
        {
          g_free (row->label);
          row->label = g_strdup (_ ("No category"));
        }
    }
  return TRUE;
}

/* --- Tenders (report_tender_day) -------------------------------------------- */

enum
{
  TENDER_COUNT,
  TENDER_AMOUNT,
  TENDER_REFUNDS,
  TENDER_REFUNDED,
  TENDER_NET,
  TENDER_SHARE,
  N_TENDER_COLUMNS
};

static const ColumnSpec tender_columns[] = {
  { "count", N_ ("Payments"), TILL_REPORT_VALUE_COUNT },
  { "amount", N_ ("Taken"), TILL_REPORT_VALUE_MONEY },
  { "refunds", N_ ("Refunds"), TILL_REPORT_VALUE_COUNT },
  { "refunded", N_ ("Refunded"), TILL_REPORT_VALUE_MONEY },
  { "net", N_ ("Net taken"), TILL_REPORT_VALUE_MONEY },
  { "share", N_ ("Share"), TILL_REPORT_VALUE_PERCENT },
};

G_STATIC_ASSERT (G_N_ELEMENTS (tender_columns) == N_TENDER_COLUMNS);

static gboolean
run_by_tender (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 *totals;
  int     rc;

  report_add_columns (report, tender_columns, N_TENDER_COLUMNS);
  report->totals = row_new (report, "total", _ ("Totals"));
  totals = report->totals->values;
  stmt = run_prepare (run,
                      "SELECT method, SUM (count), SUM (amount), SUM (refunds), SUM (refunded)"
                      " FROM report_tender_day WHERE day BETWEEN :from AND :to"
                      " GROUP BY method ORDER BY SUM (amount) DESC, method",
                      error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillReportRow *row = report_add_row (report, column_text (stmt, 0), NULL);

      for (guint i = TENDER_COUNT; i <= TENDER_REFUNDED; i++)
        {
          row->values[i] = sqlite3_column_int64 (stmt, 1 + (int) i);
          totals[i] += row->values[i];
        }
      row->values[TENDER_NET] = row->values[TENDER_AMOUNT] - row->values[TENDER_REFUNDED];
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  totals[TENDER_NET] = totals[TENDER_AMOUNT] - totals[TENDER_REFUNDED];
  for (guint i = 0; i < report->rows->len; i++)
    {
      TillReportRow *row = g_ptr_array_index (report->rows, i);

      row->values[TENDER_SHARE] = ratio_bp (row->values[TENDER_AMOUNT], totals[TENDER_AMOUNT]);
    }
  totals[TENDER_SHARE] = totals[TENDER_AMOUNT] > 0 ? 10000 : 0;
  report->chart_column = TENDER_AMOUNT;
  report_add_headline (report, "income", _ ("Taken"), TILL_REPORT_VALUE_MONEY,
                       totals[TENDER_AMOUNT]);
  report_add_headline (report, "refunded", _ ("Refunded"), TILL_REPORT_VALUE_MONEY,
                       totals[TENDER_REFUNDED]);
  report_add_headline (report, "net", _ ("Net taken"), TILL_REPORT_VALUE_MONEY, totals[TENDER_NET]);
  return TRUE;
}

/* --- Returns and voids ------------------------------------------------------ */

enum
{
  RV_RETURNS,
  RV_REFUNDED,
  RV_VOID_LINES,
  RV_VOID_LINE_AMOUNT,
  RV_VOID_SALES,
  RV_VOID_SALE_AMOUNT,
  N_RV_COLUMNS
};

static const ColumnSpec returns_voids_columns[] = {
  { "returns", N_ ("Returns"), TILL_REPORT_VALUE_COUNT },
  { "refunded", N_ ("Returned value"), TILL_REPORT_VALUE_MONEY },
  { "void_lines", N_ ("Voided lines"), TILL_REPORT_VALUE_COUNT },
  { "void_line_amount", N_ ("Voided lines’ value"), TILL_REPORT_VALUE_MONEY },
  { "void_sales", N_ ("Voided sales"), TILL_REPORT_VALUE_COUNT },
  { "void_sale_amount", N_ ("Voided sales’ value"), TILL_REPORT_VALUE_MONEY },
};

G_STATIC_ASSERT (G_N_ELEMENTS (returns_voids_columns) == N_RV_COLUMNS);

static gboolean
run_returns_voids (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) returns = NULL;
  g_autoptr (sqlite3_stmt) voids = NULL;
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  gint64  net = 0;
  gint64 *totals;
  int     rc;

  report_add_columns (report, returns_voids_columns, N_RV_COLUMNS);
  add_period_rows (report, &run->range, run->query->period, index);
  report->totals = row_new (report, "total", _ ("Totals"));
  totals = report->totals->values;
  returns =
      run_prepare (run,
                   "SELECT day, SUM (returns), SUM (refunded), SUM (net) FROM report_sale_hour"
                   " WHERE day BETWEEN :from AND :to GROUP BY day",
                   error);
  if (returns == NULL)
    return FALSE;
  while ((rc = sqlite3_step (returns)) == SQLITE_ROW)
    {
      TillReportRow *row = period_row (index, column_text (returns, 0), run->query->period);

      if (row == NULL)
        continue;
      row->values[RV_RETURNS] += sqlite3_column_int64 (returns, 1);
      row->values[RV_REFUNDED] += sqlite3_column_int64 (returns, 2);
      net += sqlite3_column_int64 (returns, 3);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  voids = run_prepare (run,
                       "SELECT day, kind, SUM (count), SUM (amount) FROM report_void_day"
                       " WHERE day BETWEEN :from AND :to GROUP BY day, kind",
                       error);
  if (voids == NULL)
    return FALSE;
  while ((rc = sqlite3_step (voids)) == SQLITE_ROW)
    {
      TillReportRow *row = period_row (index, column_text (voids, 0), run->query->period);
      gboolean       sale = strcmp (column_text (voids, 1), "void-sale") == 0;

      if (row == NULL)
        continue;
      row->values[sale ? RV_VOID_SALES : RV_VOID_LINES] += sqlite3_column_int64 (voids, 2);
      row->values[sale ? RV_VOID_SALE_AMOUNT : RV_VOID_LINE_AMOUNT] +=
          sqlite3_column_int64 (voids, 3);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  for (guint i = 0; i < report->rows->len; i++)
    for (guint c = 0; c < N_RV_COLUMNS; c++)
      totals[c] += ((TillReportRow *) g_ptr_array_index (report->rows, i))->values[c];
  report->chart = TILL_REPORT_CHART_BARS;
  report->chart_column = RV_REFUNDED;
  report_add_headline (report, "returns", _ ("Returns"), TILL_REPORT_VALUE_COUNT,
                       totals[RV_RETURNS]);
  report_add_headline (report, "refunded", _ ("Returned value"), TILL_REPORT_VALUE_MONEY,
                       totals[RV_REFUNDED]);
  report_add_headline (report, "return_rate", _ ("Returned share of net sales"),
                       TILL_REPORT_VALUE_PERCENT, ratio_bp (totals[RV_REFUNDED], net));
  report_add_headline (report, "void_lines", _ ("Voided lines"), TILL_REPORT_VALUE_COUNT,
                       totals[RV_VOID_LINES]);
  report_add_headline (report, "void_sales", _ ("Voided sales"), TILL_REPORT_VALUE_COUNT,
                       totals[RV_VOID_SALES]);
  return TRUE;
}

/* --- Inventory ------------------------------------------------------------------ */

enum
{
  INV_STOCK,
  INV_UNIT_COST,
  INV_VALUE,
  INV_SOLD,
  INV_COGS,
  INV_AVG_VALUE,
  INV_TURNOVER,
  INV_COVER,
  N_INV_COLUMNS
};

static const ColumnSpec inventory_columns[] = {
  { "stock", N_ ("In stock"), TILL_REPORT_VALUE_QUANTITY },
  { "unit_cost", N_ ("Unit cost"), TILL_REPORT_VALUE_MONEY },
  { "value", N_ ("Stock value"), TILL_REPORT_VALUE_MONEY },
  { "sold", N_ ("Sold"), TILL_REPORT_VALUE_QUANTITY },
  { "cogs", N_ ("Cost of goods sold"), TILL_REPORT_VALUE_MONEY },
  { "avg_value", N_ ("Average stock value"), TILL_REPORT_VALUE_MONEY },
  { "turnover", N_ ("Turnover"), TILL_REPORT_VALUE_PERCENT },
  { "cover", N_ ("Days of cover"), TILL_REPORT_VALUE_DAYS },
};

G_STATIC_ASSERT (G_N_ELEMENTS (inventory_columns) == N_INV_COLUMNS);

/* Per product: the stock now, its cost, what sold in the range (less
 * returns) and the stock movements that give the average level. The level
 * at the end of day d is stock − Σ deltas after d, so over the N days from
 * A to B, Σ levels = N × (stock − after) − Σ over moves in [A, B] of
 * delta × (day − A), where after = Σ deltas after B: "weighted" below. */
#define INVENTORY_SQL                                                                              \
  "WITH RECURSIVE " CATEGORY_TREE_SQL ","                                                          \
  " sold AS (SELECT product_id, SUM (quantity - returned) AS quantity,"                            \
  "  SUM (cost - returned_cost) AS cogs FROM (" PRODUCT_PIECES_SQL (                               \
      "product_id, quantity, returned, cost, returned_cost") ") GROUP BY product_id),"             \
                                                             " moves AS (SELECT product_id, SUM "  \
                                                             "(weighted) AS weighted, SUM "        \
                                                             "(after) AS after FROM ("             \
                                                             "  SELECT product_id, day_delta - "   \
                                                             ":from_number * delta AS weighted, "  \
                                                             "0 AS after"                          \
                                                             "   FROM report_stock_month WHERE "   \
                                                             "month BETWEEN :month_from AND "      \
                                                             ":month_to"                           \
                                                             "  UNION ALL SELECT product_id, "     \
                                                             "delta * (CAST (julianday (day) - "   \
                                                             "2440587.5 AS INTEGER)"               \
                                                             "   - :from_number), 0 FROM "         \
                                                             "report_stock_day WHERE day BETWEEN " \
                                                             ":head_from AND :head_to"             \
                                                             "  UNION ALL SELECT product_id, "     \
                                                             "delta * (CAST (julianday (day) - "   \
                                                             "2440587.5 AS INTEGER)"               \
                                                             "   - :from_number), 0 FROM "         \
                                                             "report_stock_day WHERE day BETWEEN " \
                                                             ":tail_from AND :tail_to"             \
                                                             "  UNION ALL SELECT product_id, 0, "  \
                                                             "delta FROM report_stock_day"         \
                                                             "   WHERE day > :to AND day < "       \
                                                             ":after_to"                           \
                                                             "  UNION ALL SELECT product_id, 0, "  \
                                                             "delta FROM report_stock_month "      \
                                                             "WHERE month > :to_month"             \
                                                             " ) GROUP BY product_id),"            \
                                                             " level AS (SELECT product_id, SUM "  \
                                                             "(quantity) AS quantity FROM "        \
                                                             "stock_level"                         \
                                                             "  WHERE location = 'stock' GROUP "   \
                                                             "BY product_id)"                      \
                                                             " SELECT p.sku, p.name, p.cost, "     \
                                                             "IFNULL (l.quantity, 0), IFNULL "     \
                                                             "(s.quantity, 0),"                    \
                                                             "  IFNULL (s.cogs, 0), IFNULL "       \
                                                             "(m.weighted, 0), IFNULL (m.after, "  \
                                                             "0)"                                  \
                                                             " FROM product p LEFT JOIN level l "  \
                                                             "ON l.product_id = p.id"              \
                                                             " LEFT JOIN sold s ON s.product_id "  \
                                                             "= p.id LEFT JOIN moves m ON "        \
                                                             "m.product_id = p.id"                 \
                                                             " WHERE " CATEGORY_FILTER_SQL         \
                                                             "  AND (p.active OR l.quantity <> 0 " \
                                                             "OR s.quantity <> 0 OR s.cogs <> 0)"

typedef struct
{
  char  *key;
  char  *label;
  gint64 values[N_INV_COLUMNS];
} InventoryItem;

static void
inventory_item_free (InventoryItem *item)
{
  g_free (item->key);
  g_free (item->label);
  g_free (item);
}

static int
compare_inventory_by_value (gconstpointer a, gconstpointer b)
{
  const InventoryItem *x = *(const InventoryItem *const *) a;
  const InventoryItem *y = *(const InventoryItem *const *) b;

  if (x->values[INV_VALUE] != y->values[INV_VALUE])
    return x->values[INV_VALUE] > y->values[INV_VALUE] ? -1 : 1;
  return strcmp (x->key, y->key);
}

/* Turnover in basis points and days of cover in tenths (-1: nothing sold). */
static void
inventory_ratios (gint64 *values, gint64 n_days)
{
  values[INV_TURNOVER] = ratio_bp (values[INV_COGS], values[INV_AVG_VALUE]);
  if (values[INV_STOCK] <= 0)
    values[INV_COVER] = 0;
  else if (values[INV_SOLD] <= 0)
    values[INV_COVER] = -1;
  else
    values[INV_COVER] =
        till_money_round_half_up (values[INV_STOCK] * n_days * 10, values[INV_SOLD]);
}

static gboolean
run_inventory (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) items =
      g_ptr_array_new_with_free_func ((GDestroyNotify) inventory_item_free);
  gint64  n_days = run->range.n_days;
  gint64 *totals;
  int     rc;

  report_add_columns (report, inventory_columns, N_INV_COLUMNS);
  report->chart_column = INV_VALUE;
  report->totals = row_new (report, "total", _ ("Totals"));
  totals = report->totals->values;
  stmt = run_prepare (run, INVENTORY_SQL, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      InventoryItem *item = g_new0 (InventoryItem, 1);
      gint64         stock = sqlite3_column_int64 (stmt, 3);
      gint64         cost = sqlite3_column_int64 (stmt, 2);
      gint64         weighted = sqlite3_column_int64 (stmt, 6);
      gint64         after = sqlite3_column_int64 (stmt, 7);
      gint64         level_days = n_days * (stock - after) - weighted;

      item->key = g_strdup (column_text (stmt, 0));
      item->label = g_strdup (column_text (stmt, 1));
      item->values[INV_STOCK] = stock;
      item->values[INV_UNIT_COST] = cost;
      item->values[INV_VALUE] = till_money_line_amount (cost, stock);
      item->values[INV_SOLD] = sqlite3_column_int64 (stmt, 4);
      item->values[INV_COGS] = sqlite3_column_int64 (stmt, 5);
      item->values[INV_AVG_VALUE] =
          till_money_round_half_up (level_days * cost, n_days * TILL_QUANTITY_ONE);
      inventory_ratios (item->values, n_days);
      for (guint c = 0; c < N_INV_COLUMNS; c++)
        if (c != INV_UNIT_COST && c != INV_TURNOVER && c != INV_COVER)
          totals[c] += item->values[c];
      g_ptr_array_add (items, item);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  inventory_ratios (totals, n_days);
  g_ptr_array_sort (items, compare_inventory_by_value);
  for (guint i = 0; i < items->len && i < run->limit; i++)
    {
      InventoryItem *item = g_ptr_array_index (items, i);

      memcpy (report_add_row (report, item->key, item->label)->values, item->values,
              sizeof item->values);
    }
  report_add_headline (report, "value", _ ("Stock value"), TILL_REPORT_VALUE_MONEY,
                       totals[INV_VALUE]);
  report_add_headline (report, "cogs", _ ("Cost of goods sold"), TILL_REPORT_VALUE_MONEY,
                       totals[INV_COGS]);
  report_add_headline (report, "avg_value", _ ("Average stock value"), TILL_REPORT_VALUE_MONEY,
                       totals[INV_AVG_VALUE]);
  report_add_headline (report, "turnover", _ ("Turnover"), TILL_REPORT_VALUE_PERCENT,
                       totals[INV_TURNOVER]);
  return TRUE;
}

/* --- Members ------------------------------------------------------------------------ */

enum
{
  MEMBER_SALES,
  MEMBER_NET,
  MEMBER_REFUNDED,
  MEMBER_POINTS,
  MEMBER_BASKET,
  N_MEMBER_COLUMNS
};

static const ColumnSpec member_columns[] = {
  { "sales", N_ ("Sales"), TILL_REPORT_VALUE_COUNT },
  { "net", N_ ("Net sales"), TILL_REPORT_VALUE_MONEY },
  { "refunded", N_ ("Returned value"), TILL_REPORT_VALUE_MONEY },
  { "points", N_ ("Points awarded"), TILL_REPORT_VALUE_COUNT },
  { "basket", N_ ("Average basket"), TILL_REPORT_VALUE_MONEY },
};

G_STATIC_ASSERT (G_N_ELEMENTS (member_columns) == N_MEMBER_COLUMNS);

typedef struct
{
  char  *id;
  gint64 values[N_MEMBER_COLUMNS];
} MemberItem;

static void
member_item_free (MemberItem *item)
{
  g_free (item->id);
  g_free (item);
}

static int
compare_members_by_net (gconstpointer a, gconstpointer b)
{
  const MemberItem *x = *(const MemberItem *const *) a;
  const MemberItem *y = *(const MemberItem *const *) b;

  if (x->values[MEMBER_NET] != y->values[MEMBER_NET])
    return x->values[MEMBER_NET] > y->values[MEMBER_NET] ? -1 : 1;
  return strcmp (x->id, y->id);
}

static gboolean
run_single_int (Run *run, const char *sql, gint64 *out_value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = run_prepare (run, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return run_finish (run, rc, error);
  *out_value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* The masked phone a member's last sale printed: what a manager may see. */
static gboolean
member_label (Run *run, sqlite3_stmt *stmt, const char *member_id, char **out_label, GError **error)
{
  int rc;

  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return run_failed (run, error, "reading a member's masked phone");
  *out_label = g_strdup (rc == SQLITE_ROW ? column_text (stmt, 0) : "");
  return TRUE;
}

static gboolean
add_member_rows (Run *run, TillReport *report, GPtrArray *items, GError **error)
{
  g_autoptr (sqlite3_stmt) label_stmt = run_prepare (
      run,
      "SELECT IFNULL ((SELECT member_masked FROM sale WHERE member_id = ?1"
      " ORDER BY created_us DESC LIMIT 1), (SELECT phone_masked FROM member WHERE id = ?1))",
      error);

  if (label_stmt == NULL)
    return FALSE;
  for (guint i = 0; i < items->len && i < run->limit; i++)
    {
      MemberItem      *item = g_ptr_array_index (items, i);
      g_autofree char *label = NULL;

      if (!member_label (run, label_stmt, item->id, &label, error))
        return FALSE;
      memcpy (report_add_row (report, item->id, label)->values, item->values, sizeof item->values);
    }
  return TRUE;
}

static gboolean
member_headlines (Run *run, TillReport *report, gint64 active, GError **error)
{
  const gint64 *totals = report->totals->values;
  gint64        new_members = 0, earned = 0, redeemed = 0, all_net = 0;

  if (!run_single_int (run,
                       "SELECT COUNT (*) FROM member"
                       " WHERE registered_us >= :from_us AND registered_us < :end_us",
                       &new_members, error) ||
      !run_single_int (run,
                       "SELECT IFNULL (SUM (points), 0) FROM member_points WHERE kind = 'earn'"
                       " AND created_us >= :from_us AND created_us < :end_us",
                       &earned, error) ||
      !run_single_int (run,
                       "SELECT IFNULL (-SUM (points), 0) FROM member_points WHERE kind = 'redeem'"
                       " AND created_us >= :from_us AND created_us < :end_us",
                       &redeemed, error) ||
      !run_single_int (run,
                       "SELECT IFNULL (SUM (net), 0) FROM report_sale_hour"
                       " WHERE day BETWEEN :from AND :to",
                       &all_net, error))
    return FALSE;
  report_add_headline (report, "new_members", _ ("New members"), TILL_REPORT_VALUE_COUNT,
                       new_members);
  report_add_headline (report, "active_members", _ ("Members who bought"), TILL_REPORT_VALUE_COUNT,
                       active);
  report_add_headline (report, "member_sales", _ ("Member sales"), TILL_REPORT_VALUE_COUNT,
                       totals[MEMBER_SALES]);
  report_add_headline (report, "member_net", _ ("Members’ net sales"), TILL_REPORT_VALUE_MONEY,
                       totals[MEMBER_NET]);
  report_add_headline (report, "member_share", _ ("Members’ share of net sales"),
                       TILL_REPORT_VALUE_PERCENT, ratio_bp (totals[MEMBER_NET], all_net));
  report_add_headline (report, "points_earned", _ ("Points awarded"), TILL_REPORT_VALUE_COUNT,
                       earned);
  report_add_headline (report, "points_redeemed", _ ("Points redeemed"), TILL_REPORT_VALUE_COUNT,
                       redeemed);
  return TRUE;
}

static gboolean
run_members (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) member_item_free);
  gint64 *totals;
  gint64  active = 0;
  int     rc;

  report_add_columns (report, member_columns, N_MEMBER_COLUMNS);
  report->chart_column = MEMBER_NET;
  report->totals = row_new (report, "total", _ ("Totals"));
  totals = report->totals->values;
  stmt = run_prepare (run,
                      "SELECT member_id, SUM (sales), SUM (net), SUM (refunded), SUM (points)"
                      " FROM report_member_day WHERE day BETWEEN :from AND :to"
                      " GROUP BY member_id",
                      error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MemberItem *item = g_new0 (MemberItem, 1);

      item->id = g_strdup (column_text (stmt, 0));
      for (guint c = MEMBER_SALES; c <= MEMBER_POINTS; c++)
        {
          item->values[c] = sqlite3_column_int64 (stmt, 1 + (int) c);
          totals[c] += item->values[c];
        }
      item->values[MEMBER_BASKET] = average (item->values[MEMBER_NET], item->values[MEMBER_SALES]);
      if (item->values[MEMBER_SALES] > 0)
        active++;
      g_ptr_array_add (items, item);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  totals[MEMBER_BASKET] = average (totals[MEMBER_NET], totals[MEMBER_SALES]);
  g_ptr_array_sort (items, compare_members_by_net);
  return add_member_rows (run, report, items, error) &&
         member_headlines (run, report, active, error);
}

/* --- Finance ------------------------------------------------------------------------ */

enum
{
  FINANCE_COUNT,
  FINANCE_AMOUNT,
  N_FINANCE_COLUMNS
};

static const ColumnSpec finance_columns[] = {
  { "count", N_ ("Count"), TILL_REPORT_VALUE_COUNT },
  { "amount", N_ ("Amount"), TILL_REPORT_VALUE_MONEY },
};

G_STATIC_ASSERT (G_N_ELEMENTS (finance_columns) == N_FINANCE_COLUMNS);

static void
finance_row (TillReport *report, const char *key, const char *label, gint64 count, gint64 amount)
{
  TillReportRow *row = report_add_row (report, key, label);

  row->values[FINANCE_COUNT] = count;
  row->values[FINANCE_AMOUNT] = amount;
}

/* Income and refunds per tender method. */
static gboolean
finance_tenders (Run *run, TillReport *report, gint64 *income, gint64 *refunds, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) refund_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  int rc;

  stmt = run_prepare (run,
                      "SELECT method, SUM (count), SUM (amount), SUM (refunds), SUM (refunded)"
                      " FROM report_tender_day WHERE day BETWEEN :from AND :to"
                      " GROUP BY method ORDER BY method",
                      error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char      *method = column_text (stmt, 0);
      g_autofree char *key = g_strconcat ("income:", method, NULL);
      g_autofree char *label = g_strdup_printf (_ ("Taken by %s"), method);
      g_autofree char *refund_key = g_strconcat ("refund:", method, NULL);
      g_autofree char *refund_label = g_strdup_printf (_ ("Refunded by %s"), method);
      TillReportRow   *refund = row_new (report, refund_key, refund_label);

      finance_row (report, key, label, sqlite3_column_int64 (stmt, 1),
                   sqlite3_column_int64 (stmt, 2));
      refund->values[FINANCE_COUNT] = sqlite3_column_int64 (stmt, 3);
      refund->values[FINANCE_AMOUNT] = sqlite3_column_int64 (stmt, 4);
      *income += sqlite3_column_int64 (stmt, 2);
      *refunds += sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (refund_rows, refund);
    }
  if (!run_finish (run, rc, error))
    return FALSE;
  g_ptr_array_extend_and_steal (report->rows, g_steal_pointer (&refund_rows));
  return TRUE;
}

static gboolean
finance_cash (Run *run, TillReport *report, GError **error)
{
  static const struct
  {
    const char *kind;
    const char *key;
    const char *label;
  } movements[] = {
    { "in", "cash-in", N_ ("Cash put in") },
    { "out", "cash-out", N_ ("Cash taken out") },
    { "drop", "cash-drop", N_ ("Cash drops") },
  };
  g_autoptr (sqlite3_stmt) stmt =
      run_prepare (run,
                   "SELECT COUNT (*), IFNULL (SUM (amount), 0) FROM cash_movement"
                   " WHERE kind = :kind AND created_us >= :from_us AND created_us < :end_us",
                   error);

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (movements); i++)
    {
      sqlite3_reset (stmt);
      bind_text (stmt, ":kind", movements[i].kind);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        return run_failed (run, error, "reading cash movements");
      finance_row (report, movements[i].key, _ (movements[i].label), sqlite3_column_int64 (stmt, 0),
                   sqlite3_column_int64 (stmt, 1));
    }
  return TRUE;
}

static gboolean
run_finance (Run *run, TillReport *report, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64    income = 0, refunds = 0;
  SalesSums sums = { 0 };
  gint64    cogs, profit;

  report_add_columns (report, finance_columns, N_FINANCE_COLUMNS);
  report->chart = TILL_REPORT_CHART_BARS;
  report->chart_column = FINANCE_AMOUNT;
  if (!finance_tenders (run, report, &income, &refunds, error) ||
      !finance_cash (run, report, error))
    return FALSE;
  stmt = run_prepare (run,
                      "SELECT " SALES_SUMS_SQL " FROM report_sale_hour"
                      " WHERE day BETWEEN :from AND :to",
                      error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return run_failed (run, error, "reading the sales");
  sales_sums_read (&sums, stmt, 0);
  cogs = sums.cost - sums.returned_cost;
  profit = sums.net - sums.refunded - cogs;
  finance_row (report, "gross", _ ("Gross sales"), sums.sales, sums.gross);
  finance_row (report, "discount", _ ("Discounts"), 0, sums.discount);
  finance_row (report, "promotion", _ ("Promotions"), 0, sums.promotion);
  finance_row (report, "net", _ ("Net sales"), sums.sales, sums.net);
  finance_row (report, "refunded", _ ("Returned value"), sums.returns, sums.refunded);
  finance_row (report, "cogs", _ ("Cost of goods sold"), 0, cogs);
  finance_row (report, "gross-profit", _ ("Gross profit"), 0, profit);

  report_add_headline (report, "income", _ ("Taken"), TILL_REPORT_VALUE_MONEY, income);
  report_add_headline (report, "refunds", _ ("Refunded"), TILL_REPORT_VALUE_MONEY, refunds);
  report_add_headline (report, "net_income", _ ("Net taken"), TILL_REPORT_VALUE_MONEY,
                       income - refunds);
  report_add_headline (report, "cogs", _ ("Cost of goods sold"), TILL_REPORT_VALUE_MONEY, cogs);
  report_add_headline (report, "gross_profit", _ ("Gross profit"), TILL_REPORT_VALUE_MONEY, profit);
  report_add_headline (report, "margin", _ ("Gross margin"), TILL_REPORT_VALUE_PERCENT,
                       ratio_bp (profit, sums.net - sums.refunded));
  return TRUE;
}

/* --- Dispatch ------------------------------------------------------------------------ */

static TillReport *
run_report (sqlite3 *db, const TillReportQuery *query, GCancellable *cancellable, GError **error)
{
  g_autoptr (TillReport) report = NULL;
  Run      run = { .db = db, .query = query, .cancellable = cancellable };
  gboolean ok;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail ((guint) query->kind < TILL_N_REPORT_KINDS, NULL);

  if (!range_init (&run.range, query->from_day, query->to_day, error))
    return NULL;
  run.limit = query->limit > 0 ? query->limit : DEFAULT_LIMIT;
  switch (query->kind)
    {
    case TILL_REPORT_SALES_BY_PERIOD:
    case TILL_REPORT_SALES_BY_HOUR:
    case TILL_REPORT_BY_CASHIER:
    case TILL_REPORT_MEMBERS_VS_OTHERS:
      report = sales_report_new (query->kind, TILL_REPORT_CHART_BARS);
      break;
    case TILL_REPORT_HOUR_HEATMAP:
    case TILL_REPORT_BY_CATEGORY:
    case TILL_REPORT_BY_PRODUCT:
    case TILL_REPORT_BY_TENDER:
    case TILL_REPORT_RETURNS_VOIDS:
    case TILL_REPORT_INVENTORY:
    case TILL_REPORT_MEMBERS:
    case TILL_REPORT_FINANCE:
    default:
      report = report_new (query->kind, TILL_REPORT_CHART_BARS);
      break;
    }
  report->from_day = g_strdup (run.range.from_day);
  report->to_day = g_strdup (run.range.to_day);
  /* "Best sellers, 2026-01-01 to 2026-12-31" */
  report->title =
      g_strdup_printf (_ ("%1$s, %2$s to %3$s"), till_report_kind_get_title (query->kind),
                       run.range.from_day, run.range.to_day);

  switch (query->kind)
    {
    case TILL_REPORT_SALES_BY_PERIOD:
      ok = run_sales_by_period (&run, report, error);
      break;
    case TILL_REPORT_SALES_BY_HOUR:
      ok = run_sales_by_hour (&run, report, error);
      break;
    case TILL_REPORT_HOUR_HEATMAP:
      ok = run_hour_heatmap (&run, report, error);
      break;
    case TILL_REPORT_BY_CATEGORY:
      ok = run_by_category (&run, report, error);
      break;
    case TILL_REPORT_BY_PRODUCT:
      ok = run_by_product (&run, report, error);
      break;
    case TILL_REPORT_BY_CASHIER:
      ok = run_by_cashier (&run, report, error);
      break;
    case TILL_REPORT_BY_TENDER:
      ok = run_by_tender (&run, report, error);
      break;
    case TILL_REPORT_MEMBERS_VS_OTHERS:
      ok = run_members_vs_others (&run, report, error);
      break;
    case TILL_REPORT_RETURNS_VOIDS:
      ok = run_returns_voids (&run, report, error);
      break;
    case TILL_REPORT_INVENTORY:
      ok = run_inventory (&run, report, error);
      break;
    case TILL_REPORT_MEMBERS:
      ok = run_members (&run, report, error);
      break;
    case TILL_REPORT_FINANCE:
      ok = run_finance (&run, report, error);
      break;
    default:
      g_return_val_if_reached (NULL);
    }
  if (!ok)
    return NULL;
  return g_steal_pointer (&report);
}

TillReport *
till_report_run (TillStore *store, const TillReportQuery *query, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return run_report (till_store_get_db (store), query, NULL, error);
}

struct _TillReportReader
{
  sqlite3 *db;
};

/**
 * till_report_reader_new:
 *
 * Opens @db_path read-only. It waits up to a few seconds for the till's
 * writer (a checkpoint) before a query fails.
 */
TillReportReader *
till_report_reader_new (const char *db_path, GError **error)
{
  g_autoptr (TillReportReader) reader = g_new0 (TillReportReader, 1);

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sqlite3_open_v2 (db_path, &reader->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_busy_timeout (reader->db, READER_BUSY_TIMEOUT_MS) != SQLITE_OK)
    {
      g_set_error (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_FAILED,
                   _ ("Cannot open the till’s database %1$s for reports: %2$s"), db_path,
                   sqlite3_errmsg (reader->db));
      return NULL;
    }
  return g_steal_pointer (&reader);
}

void
till_report_reader_free (TillReportReader *reader)
{
  if (reader == NULL)
    return;
  sqlite3_close (reader->db);
  g_free (reader);
}

TillReport *
till_report_reader_run (TillReportReader      *reader,
                        const TillReportQuery *query,
                        GCancellable          *cancellable,
                        GError               **error)
{
  TillReport *report;

  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* One read transaction: every query of the report sees the same rollups
   * even while the till folds more in. */
  if (sqlite3_exec (reader->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_FAILED, "%s",
                   sqlite3_errmsg (reader->db));
      return NULL;
    }
  report = run_report (reader->db, query, cancellable, error);
  sqlite3_exec (reader->db, "COMMIT", NULL, NULL, NULL);
  return report;
}

/* --- Daily quantities (for the forecast) ---------------------------------------- */

gboolean
till_report_get_daily_quantity (TillStore  *store,
                                gint64      product_id,
                                const char *from_day,
                                guint       n_days,
                                gint64     *out_quantities,
                                GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  GDate from, to;
  char  to_day[11];
  int   rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (n_days == 0 || out_quantities != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_day (from_day, &from))
    {
      g_set_error (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_RANGE,
                   _ ("“%s” is not a day: write it as YYYY-MM-DD"), from_day);
      return FALSE;
    }
  if (n_days == 0)
    return TRUE;
  memset (out_quantities, 0, n_days * sizeof *out_quantities);
  to = from;
  g_date_add_days (&to, n_days - 1);
  format_day (&to, to_day);
  stmt = till_store_prepare (store,
                             "SELECT day, quantity - returned FROM report_product_day"
                             " WHERE product_id = ? AND day BETWEEN ? AND ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_text (stmt, 2, from_day, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, to_day, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GDate day;
      gint  offset;

      if (!parse_day (column_text (stmt, 0), &day))
        continue;
      offset = g_date_days_between (&from, &day);
      if (offset >= 0 && (guint) offset < n_days)
        out_quantities[offset] += sqlite3_column_int64 (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, "reading daily quantities");
      return FALSE;
    }
  return TRUE;
}

/* --- Folding the raw rows into the rollups --------------------------------------- */

/* The local day, hour and day number of a time, for the SQL that folds.
 * Sales arrive in time order, so the last answer is usually the next one:
 * it holds for the 15 minutes of UTC around it, as every time zone's offset
 * and every change of it are whole quarter hours. */
typedef struct
{
  gint64 quarter;
  char   day[11];
  int    hour;
} LocalTime;

static const LocalTime *
local_time (LocalTime *cache, gint64 when_us)
{
  gint64    seconds = when_us >= 0 ? when_us / G_USEC_PER_SEC : -((-when_us + 999999) / 1000000);
  gint64    quarter = seconds >= 0 ? seconds / 900 : -((-seconds + 899) / 900);
  time_t    t = (time_t) seconds;
  struct tm tm;

  if (quarter == cache->quarter && cache->day[0] != '\0')
    return cache;
  localtime_r (&t, &tm);
  g_snprintf (cache->day, sizeof cache->day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
              tm.tm_mday);
  cache->hour = tm.tm_hour;
  cache->quarter = quarter;
  return cache;
}

static void
sql_local_day (sqlite3_context *context, int argc, sqlite3_value **argv)
{
  const LocalTime *when = local_time (sqlite3_user_data (context), sqlite3_value_int64 (argv[0]));

  sqlite3_result_text (context, when->day, 10, SQLITE_TRANSIENT);
}

static void
sql_local_hour (sqlite3_context *context, int argc, sqlite3_value **argv)
{
  const LocalTime *when = local_time (sqlite3_user_data (context), sqlite3_value_int64 (argv[0]));

  sqlite3_result_int (context, when->hour);
}

/* till_line_cost (unit cost, quantity): the till's rounding of a line. */
static void
sql_line_cost (sqlite3_context *context, int argc, sqlite3_value **argv)
{
  sqlite3_result_int64 (context, till_money_line_amount (sqlite3_value_int64 (argv[0]),
                                                         sqlite3_value_int64 (argv[1])));
}

#define FUNCTIONS_KEY "till-report-functions"

/* Once per store: the functions the folding SQL calls. */
static gboolean
register_functions (TillStore *store, GError **error)
{
  sqlite3   *db = till_store_get_db (store);
  LocalTime *cache;

  if (g_object_get_data (G_OBJECT (store), FUNCTIONS_KEY) != NULL)
    return TRUE;
  cache = g_new0 (LocalTime, 1);
  if (sqlite3_create_function_v2 (db, "till_report_day", 1, SQLITE_UTF8, cache, sql_local_day, NULL,
                                  NULL, NULL) != SQLITE_OK ||
      sqlite3_create_function_v2 (db, "till_report_hour", 1, SQLITE_UTF8, cache, sql_local_hour,
                                  NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_create_function_v2 (db, "till_line_cost", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                  sql_line_cost, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_free (cache);
      till_store_set_error (store, error, "registering the report functions");
      return FALSE;
    }
  /* The cache lives as long as the store and its connection. */
  g_object_set_data_full (G_OBJECT (store), FUNCTIONS_KEY, cache, g_free);
  return TRUE;
}

/* Scratch tables of one fold: the batch's sales and returns with their local
 * day and hour, and the product lines of both. */
static const char fold_tables_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS report_fold_sale ("
    "  uuid TEXT, day TEXT, hour INTEGER, cashier_code TEXT, member_id TEXT, items INTEGER,"
    "  points INTEGER, lines INTEGER, gross INTEGER, discount INTEGER, promotion INTEGER,"
    "  net INTEGER, cost INTEGER);"
    "CREATE TEMP TABLE IF NOT EXISTS report_fold_return ("
    "  uuid TEXT, day TEXT, hour INTEGER, cashier_code TEXT, member_id TEXT, refunded INTEGER,"
    "  cost INTEGER);"
    "CREATE TEMP TABLE IF NOT EXISTS report_fold_product ("
    "  day TEXT, product_id INTEGER, lines INTEGER, quantity INTEGER, gross INTEGER,"
    "  net INTEGER, cost INTEGER, returned INTEGER, refunded INTEGER, returned_cost INTEGER);"
    "CREATE TEMP TABLE IF NOT EXISTS report_fold_stock ("
    "  day TEXT, product_id INTEGER, delta INTEGER);"
    "DELETE FROM temp.report_fold_sale;"
    "DELETE FROM temp.report_fold_return;"
    "DELETE FROM temp.report_fold_product;"
    "DELETE FROM temp.report_fold_stock;";

#define LINE_COST_SQL(line) \
  "till_line_cost (COALESCE (" line ".unit_cost, p.cost, 0), " line ".quantity)"

/* Sales whose journal_seq is in [?1, ?2]. */
static const char *const fold_sales_sql[] = {
  "INSERT INTO temp.report_fold_sale SELECT s.uuid, till_report_day (s.created_us),"
  " till_report_hour (s.created_us), s.cashier_code, s.member_id, s.item_count,"
  " s.points_earned, COUNT (l.line_no),"
  " IFNULL (SUM (l.amount + l.line_discount + l.sale_discount + l.promotion_discount), 0),"
  " IFNULL (SUM (l.line_discount + l.sale_discount), 0), IFNULL (SUM (l.promotion_discount), 0),"
  " IFNULL (SUM (l.amount), 0), IFNULL (SUM (" LINE_COST_SQL (
      "l") "), 0)"
           " FROM sale s LEFT JOIN sale_line l ON l.sale_uuid = s.uuid"
           " LEFT JOIN product p ON p.id = l.product_id"
           " WHERE s.journal_seq BETWEEN ?1 AND ?2 GROUP BY s.journal_seq",

  "INSERT INTO report_sale_hour (day, hour, cashier_code, member, sales, items, lines, gross,"
  " discount, promotion, net, cost)"
  " SELECT day, hour, cashier_code, member_id IS NOT NULL, COUNT (*), SUM (items), SUM (lines),"
  " SUM (gross), SUM (discount), SUM (promotion), SUM (net), SUM (cost)"
  " FROM temp.report_fold_sale GROUP BY 1, 2, 3, 4"
  " ON CONFLICT (day, hour, cashier_code, member) DO UPDATE SET sales = sales + excluded.sales,"
  " items = items + excluded.items, lines = lines + excluded.lines,"
  " gross = gross + excluded.gross, discount = discount + excluded.discount,"
  " promotion = promotion + excluded.promotion, net = net + excluded.net,"
  " cost = cost + excluded.cost",

  "INSERT INTO report_member_day (member_id, day, sales, net, points)"
  " SELECT member_id, day, COUNT (*), SUM (net), SUM (points) FROM temp.report_fold_sale"
  " WHERE member_id IS NOT NULL GROUP BY 1, 2"
  " ON CONFLICT (member_id, day) DO UPDATE SET sales = sales + excluded.sales,"
  " net = net + excluded.net, points = points + excluded.points",

  "INSERT INTO report_tender_day (day, method, count, amount)"
  " SELECT f.day, p.method, COUNT (*), SUM (p.amount)"
  " FROM temp.report_fold_sale f JOIN payment p ON p.sale_uuid = f.uuid GROUP BY 1, 2"
  " ON CONFLICT (day, method) DO UPDATE SET count = count + excluded.count,"
  " amount = amount + excluded.amount",

  "INSERT INTO temp.report_fold_product SELECT f.day, l.product_id, 1, l.quantity,"
  " l.amount + l.line_discount + l.sale_discount + l.promotion_discount, l.amount, " LINE_COST_SQL (
      "l") ", 0, 0, 0"
           " FROM temp.report_fold_sale f JOIN sale_line l ON l.sale_uuid = f.uuid"
           " LEFT JOIN product p ON p.id = l.product_id",
};

/* Returns whose journal_seq is in [?1, ?2]. */
static const char *const fold_returns_sql[] = {
  "INSERT INTO temp.report_fold_return SELECT r.uuid, till_report_day (r.created_us),"
  " till_report_hour (r.created_us), r.cashier_code, s.member_id, IFNULL (SUM (l.amount), 0),"
  " IFNULL (SUM (" LINE_COST_SQL (
      "l") "), 0)"
           " FROM sale_return r LEFT JOIN sale_return_line l ON l.return_uuid = r.uuid"
           " LEFT JOIN product p ON p.id = l.product_id LEFT JOIN sale s ON s.uuid = r.sale_uuid"
           " WHERE r.journal_seq BETWEEN ?1 AND ?2 GROUP BY r.journal_seq",

  "INSERT INTO report_sale_hour (day, hour, cashier_code, member, returns, refunded,"
  " returned_cost)"
  " SELECT day, hour, cashier_code, member_id IS NOT NULL, COUNT (*), SUM (refunded), SUM (cost)"
  " FROM temp.report_fold_return GROUP BY 1, 2, 3, 4"
  " ON CONFLICT (day, hour, cashier_code, member) DO UPDATE"
  " SET returns = returns + excluded.returns, refunded = refunded + excluded.refunded,"
  " returned_cost = returned_cost + excluded.returned_cost",

  "INSERT INTO report_member_day (member_id, day, returns, refunded)"
  " SELECT member_id, day, COUNT (*), SUM (refunded) FROM temp.report_fold_return"
  " WHERE member_id IS NOT NULL GROUP BY 1, 2"
  " ON CONFLICT (member_id, day) DO UPDATE SET returns = returns + excluded.returns,"
  " refunded = refunded + excluded.refunded",

  "INSERT INTO report_tender_day (day, method, refunds, refunded)"
  " SELECT f.day, p.method, COUNT (*), SUM (p.amount)"
  " FROM temp.report_fold_return f JOIN refund_payment p ON p.return_uuid = f.uuid GROUP BY 1, 2"
  " ON CONFLICT (day, method) DO UPDATE SET refunds = refunds + excluded.refunds,"
  " refunded = refunded + excluded.refunded",

  "INSERT INTO temp.report_fold_product SELECT f.day, l.product_id, 0, 0, 0, 0, 0, l.quantity,"
  " l.amount, " LINE_COST_SQL (
      "l") " FROM temp.report_fold_return f JOIN sale_return_line l ON l.return_uuid = f.uuid"
           " LEFT JOIN product p ON p.id = l.product_id",
};

/* The product lines of the batch into the daily and monthly rollups. */
#define PRODUCT_UPSERT_SET                                                                  \
  " lines = lines + excluded.lines, quantity = quantity + excluded.quantity,"               \
  " gross = gross + excluded.gross, net = net + excluded.net, cost = cost + excluded.cost," \
  " returned = returned + excluded.returned, refunded = refunded + excluded.refunded,"      \
  " returned_cost = returned_cost + excluded.returned_cost"
#define PRODUCT_SUMS_FOLD_SQL                                                        \
  "SUM (lines), SUM (quantity), SUM (gross), SUM (net), SUM (cost), SUM (returned)," \
  " SUM (refunded), SUM (returned_cost)"

static const char *const fold_products_sql[] = {
  "INSERT INTO report_product_day (day, product_id, lines, quantity, gross, net, cost,"
  " returned, refunded, returned_cost) SELECT day, product_id, " PRODUCT_SUMS_FOLD_SQL
  " FROM temp.report_fold_product GROUP BY 1, 2"
  " ON CONFLICT (day, product_id) DO UPDATE SET" PRODUCT_UPSERT_SET,

  "INSERT INTO report_product_month (month, product_id, lines, quantity, gross, net, cost,"
  " returned, refunded, returned_cost) SELECT substr (day, 1, 7), "
  "product_id, " PRODUCT_SUMS_FOLD_SQL " FROM temp.report_fold_product GROUP BY 1, 2"
  " ON CONFLICT (month, product_id) DO UPDATE SET" PRODUCT_UPSERT_SET,
};

/* The journal's voids whose seq is in [?1, ?2]. */
static const char fold_voids_sql[] =
    "INSERT INTO report_void_day (day, cashier_code, kind, count, amount)"
    " SELECT till_report_day (created_us),"
    " IFNULL (json_extract (CAST (body AS TEXT), '$.user_code'), ''), kind, COUNT (*),"
    " SUM (IFNULL (json_extract (CAST (body AS TEXT), CASE kind WHEN 'void-line'"
    " THEN '$.line.amount' ELSE '$.total' END), 0))"
    " FROM journal WHERE seq BETWEEN ?1 AND ?2 AND kind IN ('void-line', 'void-sale')"
    " GROUP BY 1, 2, 3"
    " ON CONFLICT (day, cashier_code, kind) DO UPDATE SET count = count + excluded.count,"
    " amount = amount + excluded.amount";

/* Stock movements whose id is in [?1, ?2]. */
static const char *const fold_stock_sql[] = {
  "INSERT INTO temp.report_fold_stock SELECT till_report_day (created_us), product_id, delta"
  " FROM stock_move WHERE id BETWEEN ?1 AND ?2 AND location = 'stock'",

  "INSERT INTO report_stock_day (day, product_id, delta)"
  " SELECT day, product_id, SUM (delta) FROM temp.report_fold_stock GROUP BY 1, 2"
  " ON CONFLICT (day, product_id) DO UPDATE SET delta = delta + excluded.delta",

  "INSERT INTO report_stock_month (month, product_id, delta, day_delta)"
  " SELECT substr (day, 1, 7), product_id, SUM (delta),"
  " SUM (delta * CAST (julianday (day) - 2440587.5 AS INTEGER))"
  " FROM temp.report_fold_stock GROUP BY 1, 2"
  " ON CONFLICT (month, product_id) DO UPDATE SET delta = delta + excluded.delta,"
  " day_delta = day_delta + excluded.day_delta",
};

static gboolean
exec_range (TillStore *store, const char *sql, gint64 low, gint64 high, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    {
      sqlite3_bind_int64 (stmt, 1, low);
      sqlite3_bind_int64 (stmt, 2, high);
    }
  return till_store_step_done (store, stmt, error);
}

static gboolean
exec_all_range (
    TillStore *store, const char *const *sql, guint n_sql, gint64 low, gint64 high, GError **error)
{
  for (guint i = 0; i < n_sql; i++)
    if (!exec_range (store, sql[i], low, high, error))
      return FALSE;
  return TRUE;
}

static gboolean
query_int64 (TillStore *store, const char *sql, const char *text, gint64 *out_value, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, "reading the report marks");
      return FALSE;
    }
  *out_value = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

static gboolean
get_mark (TillStore *store, const char *name, gint64 *out_seq, GError **error)
{
  return query_int64 (store, "SELECT seq FROM report_mark WHERE name = ?", name, out_seq, error);
}

static gboolean
set_mark (TillStore *store, const char *name, gint64 seq, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store,
                          "INSERT INTO report_mark (name, seq) VALUES (?, ?)"
                          " ON CONFLICT (name) DO UPDATE SET seq = excluded.seq",
                          error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);
  return till_store_step_done (store, stmt, error);
}

/* One source of documents: its pending ones are those past its mark. */
typedef struct
{
  const char *mark;
  const char *next_sql;  /* ?1 mark, ?2 at most: the last seq and how many */
  const char *count_sql; /* ?1 mark */
  const char *end_sql;   /* how far the mark may go once all are folded */
} Source;

static const Source sale_source = {
  "sale",
  "SELECT MAX (journal_seq), COUNT (*) FROM (SELECT journal_seq FROM sale"
  " WHERE journal_seq > ?1 ORDER BY journal_seq LIMIT ?2)",
  "SELECT COUNT (*) FROM sale WHERE journal_seq > ?1",
  NULL,
};

static const Source return_source = {
  "return",
  "SELECT MAX (journal_seq), COUNT (*) FROM (SELECT journal_seq FROM sale_return"
  " WHERE journal_seq > ?1 ORDER BY journal_seq LIMIT ?2)",
  "SELECT COUNT (*) FROM sale_return WHERE journal_seq > ?1",
  NULL,
};

/* Past the last void, so that the next look at the journal starts where
 * this one stopped rather than at the last void, which may be long ago. */
static const Source void_source = {
  "void",
  "SELECT MAX (seq), COUNT (*) FROM (SELECT seq FROM journal"
  " WHERE seq > ?1 AND kind IN ('void-line', 'void-sale') ORDER BY seq LIMIT ?2)",
  "SELECT COUNT (*) FROM journal WHERE seq > ?1 AND kind IN ('void-line', 'void-sale')",
  "SELECT MAX (seq) FROM journal",
};

/* The next at most @budget documents of @source (-1: all): [*out_low,
 * *out_high] and how many. */
static gboolean
next_batch (TillStore    *store,
            const Source *source,
            gint64        budget,
            gint64       *out_low,
            gint64       *out_high,
            gint64       *out_count,
            GError      **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64 mark = 0;

  if (!get_mark (store, source->mark, &mark, error))
    return FALSE;
  stmt = till_store_prepare (store, source->next_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mark);
  sqlite3_bind_int64 (stmt, 2, budget);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, "finding what to fold");
      return FALSE;
    }
  *out_low = mark + 1;
  *out_high = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? mark : sqlite3_column_int64 (stmt, 0);
  *out_count = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/* Folds the next documents of @source with @sql, within *budget (-1: no
 * limit), which it lowers by what it folded. */
static gboolean
fold_source (TillStore         *store,
             const Source      *source,
             const char *const *sql,
             guint              n_sql,
             gint64            *budget,
             GError           **error)
{
  gint64 low, high, count, end = 0;

  if (*budget == 0)
    return TRUE;
  if (!next_batch (store, source, *budget, &low, &high, &count, error))
    return FALSE;
  if (count > 0 && !exec_all_range (store, sql, n_sql, low, high, error))
    return FALSE;
  if (*budget > 0)
    *budget -= count;
  if (*budget != 0 && source->end_sql != NULL &&
      !query_int64 (store, source->end_sql, NULL, &end, error))
    return FALSE;
  return set_mark (store, source->mark, MAX (high, end), error);
}

static gboolean
fold_stock (TillStore *store, GError **error)
{
  gint64 mark = 0, high = 0;

  if (!get_mark (store, "stock", &mark, error) ||
      !query_int64 (store, "SELECT IFNULL (MAX (id), 0) FROM stock_move", NULL, &high, error))
    return FALSE;
  if (high <= mark)
    return TRUE;
  return exec_all_range (store, fold_stock_sql, G_N_ELEMENTS (fold_stock_sql), mark + 1, high,
                         error) &&
         set_mark (store, "stock", high, error);
}

static gboolean
count_pending (TillStore *store, gint64 *out_pending, GError **error)
{
  const Source *sources[] = { &sale_source, &return_source, &void_source };

  *out_pending = 0;
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr (TillStmt) stmt = NULL;
      gint64 mark = 0;

      if (!get_mark (store, sources[i]->mark, &mark, error))
        return FALSE;
      stmt = till_store_prepare (store, sources[i]->count_sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, mark);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          till_store_set_error (store, error, "counting what waits to be folded");
          return FALSE;
        }
      *out_pending += sqlite3_column_int64 (stmt, 0);
    }
  return TRUE;
}

/* Inside a transaction: sales, then returns, then voids, at most
 * @max_documents of them together (0: all), and every stock movement. */
static gboolean
fold (TillStore *store, guint max_documents, GError **error)
{
  gint64 budget = max_documents > 0 ? (gint64) max_documents : -1;

  if (!register_functions (store, error) || !till_store_exec (store, fold_tables_sql, error))
    return FALSE;
  if (!fold_source (store, &sale_source, fold_sales_sql, G_N_ELEMENTS (fold_sales_sql), &budget,
                    error) ||
      !fold_source (store, &return_source, fold_returns_sql, G_N_ELEMENTS (fold_returns_sql),
                    &budget, error) ||
      !exec_all_range (store, fold_products_sql, G_N_ELEMENTS (fold_products_sql), 0, 0, error))
    return FALSE;
  {
    const char *const void_sql[] = { fold_voids_sql };

    if (!fold_source (store, &void_source, void_sql, 1, &budget, error))
      return FALSE;
  }
  return fold_stock (store, error) && till_store_exec (store, fold_tables_sql, error);
}

gboolean
till_report_refresh (TillStore *store, guint max_documents, gboolean *out_done, GError **error)
{
  gint64 pending = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  if (!fold (store, max_documents, error) || !count_pending (store, &pending, error) ||
      !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  if (out_done != NULL)
    *out_done = pending == 0;
  return TRUE;
}

gint64
till_report_count_pending (TillStore *store, GError **error)
{
  gint64 pending = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!count_pending (store, &pending, error))
    return -1;
  return pending;
}

gboolean
till_report_rebuild (TillStore *store, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  if (!till_store_exec (store,
                        "DELETE FROM report_mark; DELETE FROM report_sale_hour;"
                        "DELETE FROM report_product_day; DELETE FROM report_product_month;"
                        "DELETE FROM report_tender_day; DELETE FROM report_void_day;"
                        "DELETE FROM report_stock_day; DELETE FROM report_stock_month;"
                        "DELETE FROM report_member_day;",
                        error) ||
      !fold (store, 0, error) || !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}
