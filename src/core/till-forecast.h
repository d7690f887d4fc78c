/* till-forecast.h: daily demand forecast per product, and reorder suggestions
 *
 * The forecast learns from a product's daily quantities (till-report's
 * rollups): Holt-Winters with an additive weekly season and a damped trend
 * on log1p (demand / its mean), mapped back to the mean demand, its
 * smoothing constants chosen per product by one-step-ahead error on the
 * history; a product with too little history falls back to the mean of its
 * same weekdays. Which method a product uses is measured, not assumed: the
 * last weeks of its history are held out and the method with the lower
 * error there wins (see tests/bench/bench-forecast.c for the backtest
 * against the naive same-weekday-last-week forecast).
 *
 * Demand is in thousandths of a unit, as stock is; forecasts are doubles
 * inside and rounded to thousandths at the edge. Nothing here is money.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_FORECAST_SEASON 7 /* days: the weekly cycle */

#define TILL_FORECAST_ERROR (till_forecast_error_quark ())

typedef enum
{
  TILL_FORECAST_ERROR_FAILED,
  TILL_FORECAST_ERROR_INVALID_DAY, /* @today is not a "YYYY-MM-DD" day */
} TillForecastError;

GQuark till_forecast_error_quark (void);

typedef enum
{
  TILL_FORECAST_METHOD_HOLT_WINTERS,
  TILL_FORECAST_METHOD_SEASONAL_MEAN, /* mean of the same weekday over the last weeks */
  TILL_FORECAST_METHOD_NAIVE,         /* same weekday last week (the baseline) */
  /* Holt-Winters on the demand itself rather than on its logarithm: only
   * for measuring (bench-forecast.c); fit_best never picks it. */
  TILL_FORECAST_METHOD_HOLT_WINTERS_PLAIN,
} TillForecastMethod;

const char *till_forecast_method_to_string (TillForecastMethod method);

typedef struct
{
  TillForecastMethod method;
  double             alpha, beta, gamma, phi; /* Holt-Winters: level, trend, season, damping */
  double             level, trend;
  double             season[TILL_FORECAST_SEASON];
  guint              history_days; /* how many days it learned from */
  double             residual_sd;  /* of the one-step errors: for safety stock */
  /* Holt-Winters learns log1p (demand / scale), which a promotion's spike
   * disturbs less than the demand itself; scale is 0 on the plain scale.
   * log_sd is the σ of its one-step errors there, to forecast the mean
   * rather than the median when mapping back. */
  double scale;
  double log_sd;
  /* the weekday (0 = Monday) of the day after the history's last day */
  int next_weekday;
  /* NAIVE and SEASONAL_MEAN keep the last weeks of history here */
  double last_weeks[4 * TILL_FORECAST_SEASON];
} TillForecastModel;

/* Fits a model to @history (@n_days daily quantities, oldest first; the
 * first day's weekday is @first_weekday, 0 = Monday) with @method. */
void till_forecast_fit (const double      *history,
                        guint              n_days,
                        int                first_weekday,
                        TillForecastMethod method,
                        TillForecastModel *out_model);

/* Fits every method, holds out the last @holdout_days to measure them, and
 * refits the best on the whole history. */
void till_forecast_fit_best (const double      *history,
                             guint              n_days,
                             int                first_weekday,
                             guint              holdout_days,
                             TillForecastModel *out_model);

/* The next @horizon days after the history (never negative). */
void till_forecast_predict (const TillForecastModel *model, guint horizon, double *out_forecast);

/* Error measures over @n paired values: WAPE = Σ|a − f| / Σ a, MAPE over
 * days with a > 0 (both as fractions; NAN when undefined). */
double till_forecast_wape (const double *actual, const double *forecast, guint n);
double till_forecast_mape (const double *actual, const double *forecast, guint n);

/* One product's purchase suggestion. */
typedef struct
{
  gint64             product_id;
  char              *sku;
  char              *name;
  char              *unit;
  char              *supplier;     /* "" when none is set */
  gint64             stock;        /* saleable stock now, thousandths */
  gint64             on_order;     /* still to come on open purchase orders */
  gint64             forecast;     /* demand over lead time + cover, thousandths */
  gint64             safety;       /* safety stock, thousandths */
  gint64             lower, upper; /* the product's limits, -1 when not set */
  gint64             pack_size;    /* thousandths: what one pack holds */
  gint64             suggested;    /* to order, thousandths, whole packs; > 0 */
  gint64             unit_cost;    /* fen */
  int                lead_time_days;
  TillForecastMethod method;
} TillReorderSuggestion;

void till_reorder_suggestion_free (TillReorderSuggestion *suggestion);

/* Reorder suggestions for every active product with a lower limit or sales
 * in the last @history_days days (rollups must be refreshed): expected
 * demand over its lead time plus @cover_days, a safety stock of 1.65 σ
 * over the lead time, less stock and what is on order; raised to reach the
 * lower limit, capped so stock stays within the upper one, rounded up to
 * whole packs (down, when up would pass the upper limit). The upper limit
 * is for stock plus what is on order plus the suggestion. A product without
 * limits has the schema's defaults (2 days' lead time, packs of one). Only
 * products that need ordering are listed, by supplier then SKU. @today
 * "YYYY-MM-DD" is the last day of history plus one
 * (%TILL_FORECAST_ERROR_INVALID_DAY otherwise). Each product's fit takes
 * about 1 ms per year of history. */
GPtrArray *till_forecast_suggest_reorder (
    TillStore *store, const char *today, guint history_days, guint cover_days, GError **error);

G_END_DECLS
