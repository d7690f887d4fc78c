/* till-report.h: sales, stock, member and finance reports
 *
 * Reports read rollups (the report_* tables: sales by day, hour, cashier and
 * member; by product per day and per month; tenders and voids per day; stock
 * movements per product per day), never the raw sales, so a year of a busy
 * store answers in milliseconds. The rollups are folded from the raw rows
 * (sales, returns, voids in the journal, stock movements) by
 * till_report_refresh(), which picks up where it stopped (report_mark) and
 * can always be recomputed: till_report_rebuild() empties and refolds them.
 *
 * A report is a table: typed columns, rows with a label and one value per
 * numeric column, a totals row, and headline figures, plus a hint of which
 * chart shows it. The screens draw it (src/chart), and export it as
 * CSV or XLSX (src/sheet) and its chart as PNG or PDF.
 *
 * Days are local calendar days "YYYY-MM-DD"; ranges include both ends.
 * Weeks start on Monday (ISO), and are named by their Monday.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_REPORT_ERROR (till_report_error_quark ())

typedef enum
{
  TILL_REPORT_ERROR_FAILED,
  TILL_REPORT_ERROR_RANGE, /* a malformed day, or a range that ends before it starts */
} TillReportError;

GQuark till_report_error_quark (void);

typedef enum
{
  TILL_REPORT_SALES_BY_PERIOD, /* per day, week or month: sales, net, margin, basket */
  TILL_REPORT_SALES_BY_HOUR,   /* per hour of day, over the range */
  TILL_REPORT_HOUR_HEATMAP,    /* weekday × hour of day: net sales */
  TILL_REPORT_BY_CATEGORY,
  TILL_REPORT_BY_PRODUCT, /* best sellers by net, at most query.limit rows */
  TILL_REPORT_BY_CASHIER,
  TILL_REPORT_BY_TENDER,
  TILL_REPORT_MEMBERS_VS_OTHERS, /* member and non-member sales */
  TILL_REPORT_RETURNS_VOIDS,     /* per day: returns, refunds, voided lines and sales */
  TILL_REPORT_INVENTORY,         /* per product: stock, value, COGS, turnover, days of cover */
  TILL_REPORT_MEMBERS,           /* members: new, active, spend, points, top members (masked) */
  TILL_REPORT_FINANCE,           /* income by tender, refunds, cash in/out, COGS, gross profit */
} TillReportKind;

#define TILL_N_REPORT_KINDS (TILL_REPORT_FINANCE + 1)

const char *till_report_kind_to_string (TillReportKind kind); /* "sales-by-period" */
gboolean    till_report_kind_from_string (const char *text, TillReportKind *out_kind);
const char *till_report_kind_get_title (TillReportKind kind); /* translated */

typedef enum
{
  TILL_REPORT_PERIOD_DAY,
  TILL_REPORT_PERIOD_WEEK,
  TILL_REPORT_PERIOD_MONTH,
} TillReportPeriod;

typedef struct
{
  TillReportKind   kind;
  const char      *from_day;    /* "YYYY-MM-DD" */
  const char      *to_day;      /* inclusive */
  TillReportPeriod period;      /* SALES_BY_PERIOD and RETURNS_VOIDS */
  gint64           category_id; /* 0: all; BY_PRODUCT and INVENTORY */
  guint            limit;       /* rows at most for BY_PRODUCT, INVENTORY, MEMBERS; 0: 50 */
} TillReportQuery;

typedef enum
{
  TILL_REPORT_VALUE_COUNT,    /* a plain number */
  TILL_REPORT_VALUE_MONEY,    /* fen */
  TILL_REPORT_VALUE_QUANTITY, /* thousandths */
  TILL_REPORT_VALUE_PERCENT,  /* basis points: 2534 = 25.34 % */
  TILL_REPORT_VALUE_DAYS,     /* tenths of a day */
} TillReportValueKind;

typedef struct
{
  char               *id;    /* "net", "sales", "margin"… stable, for tests and exports */
  char               *title; /* translated column header */
  TillReportValueKind kind;
} TillReportColumn;

typedef struct
{
  char   *key;    /* stable: a day, a SKU, a cashier code, a method… */
  char   *label;  /* what a person reads: "2026-11-23", "农夫山泉 550ml", "王小丽 (1001)" */
  gint64 *values; /* one per column */
} TillReportRow;

/* A figure shown above the table: net sales, average basket, margin… */
typedef struct
{
  char               *id;
  char               *title; /* translated */
  TillReportValueKind kind;
  gint64              value;
} TillReportHeadline;

/* How the report is best drawn. */
typedef enum
{
  TILL_REPORT_CHART_LINE,    /* a trend over the rows (periods) */
  TILL_REPORT_CHART_BARS,    /* one bar per row */
  TILL_REPORT_CHART_HEATMAP, /* rows × columns as a grid of shades */
} TillReportChartKind;

typedef struct
{
  TillReportKind      kind;
  char               *title; /* translated, with the range */
  char               *from_day;
  char               *to_day;
  GPtrArray          *columns;   /* TillReportColumn */
  GPtrArray          *rows;      /* TillReportRow */
  TillReportRow      *totals;    /* NULL where a total means nothing (heat map) */
  GPtrArray          *headlines; /* TillReportHeadline: "Average basket"… */
  TillReportChartKind chart;
  guint               chart_column; /* the column the chart draws (bars, line) */
} TillReport;

TillReport *till_report_ref (TillReport *report);
void        till_report_unref (TillReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillReport, till_report_unref)

/* The column with @id, or -1. */
int till_report_find_column (const TillReport *report, const char *id);
/* The row with @key, or NULL. */
const TillReportRow *till_report_find_row (const TillReport *report, const char *key);
/* The value as a person reads it: "¥1,234.50" → "1234.50" (money without a
 * sign), "25.3%", "1.250" (weighed) or "3", "12.5". */
char *till_report_format_value (TillReportValueKind kind, gint64 value);

/* Folds what was recorded since the last refresh into the rollups, at most
 * @max_documents sales, returns and voids (0: no limit) in one transaction,
 * and all new stock movements. *out_done tells whether it caught up. Runs on
 * the store's thread; must not be called inside a transaction. */
gboolean
till_report_refresh (TillStore *store, guint max_documents, gboolean *out_done, GError **error);
/* How many sales, returns and voids wait to be folded (for a progress bar). */
gint64 till_report_count_pending (TillStore *store, GError **error);
/* Empties the rollups and folds everything again. */
gboolean till_report_rebuild (TillStore *store, GError **error);

/* Runs a report on the store's connection (rollups as they are: refresh
 * first). */
TillReport *till_report_run (TillStore *store, const TillReportQuery *query, GError **error);

/* A read-only connection to the till's database for running reports off the
 * store's thread (a GTask's worker): WAL lets it read while the till sells. */
typedef struct _TillReportReader TillReportReader;

TillReportReader *till_report_reader_new (const char *db_path, GError **error);
void              till_report_reader_free (TillReportReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillReportReader, till_report_reader_free)

TillReport *till_report_reader_run (TillReportReader      *reader,
                                    const TillReportQuery *query,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* A product's quantity sold, less returned, per day from @from_day for
 * @n_days days (thousandths; days without sales are 0), from the rollups:
 * the history the forecast learns from. */
gboolean till_report_get_daily_quantity (TillStore  *store,
                                         gint64      product_id,
                                         const char *from_day,
                                         guint       n_days,
                                         gint64     *out_quantities,
                                         GError    **error);

G_END_DECLS
