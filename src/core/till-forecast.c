/* till-forecast.c: daily demand forecast per product and reorder
 * suggestions (see till-forecast.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-forecast"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "till-forecast.h"
#include "till-report.h"
#include "till-store.h"

#define SEASON TILL_FORECAST_SEASON
/* Weeks the seasonal mean averages, and the model keeps. */
#define MEAN_WEEKS 4
#define KEPT_DAYS (MEAN_WEEKS * SEASON)
/* Holt-Winters needs two whole weeks to tell a trend from a season. */
#define MIN_HOLT_WINTERS_DAYS (2 * SEASON)
/* The one-step errors of the first week only show how good the initial
 * guess was, not the smoothing constants: the fit does not count them. */
#define BURN_IN_DAYS SEASON
/* Safety stock: 1.65 σ is a 95 % service level under normal errors. */
#define SAFETY_FACTOR 1.65
/* Days of history held out to choose each product's method. */
#define HOLDOUT_DAYS (4 * SEASON)
/* How much less error a simpler method needs on the hold-out to replace
 * Holt-Winters. */
#define SIMPLER_METHOD_MARGIN 0.2
/* A product without a stock_limit row waits this long for a delivery, as
 * the schema's default. */
#define DEFAULT_LEAD_TIME_DAYS 2
#define DEFAULT_PACK_SIZE 1000

G_DEFINE_QUARK (till_forecast_error_quark, till_forecast_error)

/* The smoothing constants the fit tries, coarse on purpose: the one-step
 * error is flat near its minimum, so a finer grid buys little accuracy for
 * a lot of time (see bench-forecast.c). */
static const double alpha_grid[] = { 0.02, 0.05, 0.1, 0.2, 0.35, 0.6 };
static const double beta_grid[] = { 0.0, 0.01, 0.05, 0.15 };
static const double gamma_grid[] = { 0.01, 0.05, 0.1, 0.25 };
static const double phi_grid[] = { 0.8, 0.9, 0.98 };

typedef struct
{
  double alpha, beta, gamma, phi;
} HoltWintersParams;

/* The filter's state; season[] is by position in the cycle counted from the
 * history's first day, not by weekday. */
typedef struct
{
  double level, trend;
  double season[SEASON];
} HoltWintersState;

const char *
till_forecast_method_to_string (TillForecastMethod method)
{
  switch (method)
    {
    case TILL_FORECAST_METHOD_HOLT_WINTERS:
      return "holt-winters";
    case TILL_FORECAST_METHOD_SEASONAL_MEAN:
      return "seasonal-mean";
    case TILL_FORECAST_METHOD_NAIVE:
      return "naive";
    case TILL_FORECAST_METHOD_HOLT_WINTERS_PLAIN:
      return "holt-winters-plain";
    default:
      g_return_val_if_reached ("unknown");
    }
}

static inline double
clamp_demand (double value)
{
  return value > 0.0 ? value : 0.0;
}

static void
model_init (TillForecastModel *model,
            const double      *history,
            guint              n_days,
            int                first_weekday,
            TillForecastMethod method)
{
  guint kept = MIN (n_days, KEPT_DAYS);

  memset (model, 0, sizeof *model);
  model->method = method;
  model->history_days = n_days;
  model->next_weekday = (int) ((guint) first_weekday + n_days) % SEASON;
  /* The last days sit at the end of last_weeks[], the newest last. */
  if (kept > 0)
    memcpy (model->last_weeks + KEPT_DAYS - kept, history + n_days - kept, kept * sizeof (double));
}

/* What the seasonal mean forecasts for @day (an index into @history, at or
 * after @n_days): the mean of the same weekday in the last MEAN_WEEKS weeks
 * before @n_days; with less than a week of history, the mean of it all. */
static double
seasonal_mean_at (const double *history, guint n_days, guint day)
{
  double sum = 0.0;
  guint  count = 0;

  if (n_days == 0)
    return 0.0;
  if (n_days < SEASON)
    {
      for (guint i = 0; i < n_days; i++)
        sum += history[i];
      return sum / n_days;
    }
  /* The latest same weekday before n_days, then the weeks before it. */
  day -= ((day - n_days) / SEASON + 1) * SEASON;
  for (guint week = 0; week < MEAN_WEEKS && day < n_days; week++, day -= SEASON)
    {
      sum += history[day];
      count++;
      if (day < SEASON)
        break;
    }
  return sum / count;
}

/* The same weekday of the last week before @n_days (or the mean, with less
 * than a week of history). */
static double
naive_at (const double *history, guint n_days, guint day)
{
  if (n_days < SEASON)
    return seasonal_mean_at (history, n_days, day);
  return history[day - ((day - n_days) / SEASON + 1) * SEASON];
}

/* The residual σ of a simple method: its one-step errors over the history. */
static double
simple_residual_sd (const double *history, guint n_days, TillForecastMethod method)
{
  double sse = 0.0;
  guint  count = 0;

  for (guint t = SEASON; t < n_days; t++)
    {
      double f = method == TILL_FORECAST_METHOD_NAIVE ? naive_at (history, t, t)
                                                      : seasonal_mean_at (history, t, t);
      double e = history[t] - f;

      sse += e * e;
      count++;
    }
  return count > 0 ? sqrt (sse / count) : 0.0;
}

/* The starting state from the first weeks (up to MEAN_WEEKS): the level is
 * the first week's mean, the trend the slope between the first and the last
 * of those weeks' means, each season the mean deviation of its day from its
 * week's (trend-corrected) mean. */
static void
holt_winters_initial_state (const double *history, guint n_days, HoltWintersState *state)
{
  guint  n_weeks = MIN (MEAN_WEEKS, n_days / SEASON);
  double week_mean[MEAN_WEEKS] = { 0 };
  double season_sum = 0.0;

  g_assert (n_weeks >= 2);
  for (guint w = 0; w < n_weeks; w++)
    {
      for (guint i = 0; i < SEASON; i++)
        week_mean[w] += history[w * SEASON + i];
      week_mean[w] /= SEASON;
    }
  state->trend = (week_mean[n_weeks - 1] - week_mean[0]) / ((n_weeks - 1) * SEASON);
  /* The first week's mean is its level in its middle (day 3): the state
   * before day 0 is four days earlier. */
  state->level = week_mean[0] - 4 * state->trend;
  for (guint i = 0; i < SEASON; i++)
    {
      double deviation = 0.0;

      for (guint w = 0; w < n_weeks; w++)
        deviation += history[w * SEASON + i] - (week_mean[w] + ((double) i - 3) * state->trend);
      state->season[i] = deviation / n_weeks;
      season_sum += state->season[i];
    }
  for (guint i = 0; i < SEASON; i++)
    state->season[i] -= season_sum / SEASON;
}

/* What a run of the filter measured: the sum of squared one-step errors
 * after the burn-in on the scale it runs on, and, when asked, on the plain
 * scale of the demand. */
typedef struct
{
  double sse;
  guint  n_errors;
  double plain_sse;
} FilterErrors;

/* Where the filter's one-step forecast @f (on its own scale) maps back to
 * demand. */
static inline double
to_demand (double f, double scale, double log_sd)
{
  if (scale <= 0.0)
    return clamp_demand (f);
  return scale * expm1 (clamp_demand (f) + log_sd * log_sd / 2);
}

/* Runs the additive damped Holt-Winters filter over @series from @state
 * (the initial state; the final one on return). The errors are of the
 * forecasts as used (clamped at zero). The run stops early once the sum
 * passes @give_up. With @plain, the demand @series was made from with
 * @scale, the errors of the forecasts mapped back to it are summed too. */
static void
holt_winters_filter (const double            *series,
                     guint                    n_days,
                     const HoltWintersParams *p,
                     HoltWintersState        *state,
                     double                   give_up,
                     const double            *plain,
                     double                   scale,
                     double                   log_sd,
                     FilterErrors            *out_errors)
{
  double level = state->level;
  double trend = state->trend;
  double season[SEASON];
  double sse = 0.0;
  double plain_sse = 0.0;
  guint  n_errors = 0;
  guint  pos = 0;

  memcpy (season, state->season, sizeof season);
  for (guint t = 0; t < n_days; t++)
    {
      double damped = p->phi * trend;
      double base = level + damped;
      double y = series[t];
      double new_level;

      if (t >= BURN_IN_DAYS)
        {
          double e = y - clamp_demand (base + season[pos]);

          sse += e * e;
          n_errors++;
          if (plain != NULL)
            {
              double plain_e = plain[t] - to_demand (base + season[pos], scale, log_sd);

              plain_sse += plain_e * plain_e;
            }
          if (sse > give_up)
            break;
        }
      new_level = p->alpha * (y - season[pos]) + (1.0 - p->alpha) * base;
      trend = p->beta * (new_level - level) + (1.0 - p->beta) * damped;
      season[pos] = p->gamma * (y - base) + (1.0 - p->gamma) * season[pos];
      level = new_level;
      if (++pos == SEASON)
        pos = 0;
    }
  state->level = level;
  state->trend = trend;
  memcpy (state->season, season, sizeof season);
  out_errors->sse = sse;
  out_errors->n_errors = n_errors;
  out_errors->plain_sse = plain_sse;
}

/* The constants of the grid with the least one-step error on @series. */
static HoltWintersParams
holt_winters_choose (const double *series, guint n_days)
{
  HoltWintersParams best = { alpha_grid[2], beta_grid[0], gamma_grid[1], phi_grid[1] };
  HoltWintersState  initial;
  double            best_sse = INFINITY;

  holt_winters_initial_state (series, n_days, &initial);
  for (guint a = 0; a < G_N_ELEMENTS (alpha_grid); a++)
    for (guint b = 0; b < G_N_ELEMENTS (beta_grid); b++)
      for (guint g = 0; g < G_N_ELEMENTS (gamma_grid); g++)
        for (guint f = 0; f < G_N_ELEMENTS (phi_grid); f++)
          {
            HoltWintersParams p = { alpha_grid[a], beta_grid[b], gamma_grid[g], phi_grid[f] };
            HoltWintersState  state = initial;
            FilterErrors      errors;

            holt_winters_filter (series, n_days, &p, &state, best_sse, NULL, 0, 0, &errors);
            if (errors.sse < best_sse)
              {
                best_sse = errors.sse;
                best = p;
              }
          }
  return best;
}

/* The scale Holt-Winters fits the logarithm on: the mean demand of the last
 * year, so the transform is the same whatever the unit (pieces,
 * thousandths, kilograms). 0 when nothing sold: then the plain scale. */
static double
log_scale_of (const double *history, guint n_days)
{
  guint  from = n_days > 52 * SEASON ? n_days - 52 * SEASON : 0;
  double sum = 0.0;

  for (guint t = from; t < n_days; t++)
    sum += clamp_demand (history[t]);
  return n_days > from ? sum / (n_days - from) : 0.0;
}

/* @history on the scale Holt-Winters learns it: log1p (demand / @scale),
 * or the demand itself when @scale is 0. */
static double *
series_on_scale (const double *history, guint n_days, double scale)
{
  double *series = g_new (double, MAX (n_days, 1));

  for (guint t = 0; t < n_days; t++)
    series[t] = scale > 0.0 ? log1p (clamp_demand (history[t]) / scale) : history[t];
  return series;
}

/* Runs the filter with @p over the first @n_days of @series (made from
 * @history with @scale) and keeps its end state in @model, the season by
 * weekday, and the σ of its one-step errors. */
static void
holt_winters_fill (const double            *series,
                   const double            *history,
                   guint                    n_days,
                   int                      first_weekday,
                   const HoltWintersParams *p,
                   double                   scale,
                   TillForecastModel       *model)
{
  HoltWintersState initial;
  HoltWintersState state;
  FilterErrors     errors;

  holt_winters_initial_state (series, n_days, &initial);
  state = initial;
  holt_winters_filter (series, n_days, p, &state, INFINITY, NULL, 0, 0, &errors);
  model->log_sd = scale > 0.0 && errors.n_errors > 0 ? sqrt (errors.sse / errors.n_errors) : 0.0;
  if (scale > 0.0)
    {
      /* Again, for the errors of the forecasts as they come out (the mean,
       * on the demand's scale): the safety stock needs those. */
      HoltWintersState again = initial;

      holt_winters_filter (series, n_days, p, &again, INFINITY, history, scale, model->log_sd,
                           &errors);
      errors.sse = errors.plain_sse;
    }
  model->alpha = p->alpha;
  model->beta = p->beta;
  model->gamma = p->gamma;
  model->phi = p->phi;
  model->level = state.level;
  model->trend = state.trend;
  model->scale = scale;
  /* Position 0 of the filter's cycle is the first day's weekday. */
  for (guint i = 0; i < SEASON; i++)
    model->season[((guint) first_weekday + i) % SEASON] = state.season[i];
  model->residual_sd = errors.n_errors > 0 ? sqrt (errors.sse / errors.n_errors) : 0.0;
}

static void
fit_holt_winters (const double *history, guint n_days, int first_weekday, TillForecastModel *model)
{
  double scale =
      model->method == TILL_FORECAST_METHOD_HOLT_WINTERS ? log_scale_of (history, n_days) : 0.0;
  g_autofree double *series = series_on_scale (history, n_days, scale);
  HoltWintersParams  p = holt_winters_choose (series, n_days);

  holt_winters_fill (series, history, n_days, first_weekday, &p, scale, model);
}

static gboolean
is_holt_winters (TillForecastMethod method)
{
  return method == TILL_FORECAST_METHOD_HOLT_WINTERS ||
         method == TILL_FORECAST_METHOD_HOLT_WINTERS_PLAIN;
}

/**
 * till_forecast_fit:
 *
 * Holt-Winters needs two weeks of history: with less, the model is the
 * seasonal mean, and its method says so.
 */
void
till_forecast_fit (const double      *history,
                   guint              n_days,
                   int                first_weekday,
                   TillForecastMethod method,
                   TillForecastModel *out_model)
{
  g_return_if_fail (history != NULL || n_days == 0);
  g_return_if_fail (first_weekday >= 0 && first_weekday < SEASON);
  g_return_if_fail (out_model != NULL);

  if (is_holt_winters (method) && n_days < MIN_HOLT_WINTERS_DAYS)
    method = TILL_FORECAST_METHOD_SEASONAL_MEAN;
  model_init (out_model, history, n_days, first_weekday, method);
  if (is_holt_winters (method))
    fit_holt_winters (history, n_days, first_weekday, out_model);
  else
    out_model->residual_sd = simple_residual_sd (history, n_days, method);
}

void
till_forecast_predict (const TillForecastModel *model, guint horizon, double *out_forecast)
{
  g_return_if_fail (model != NULL);
  g_return_if_fail (out_forecast != NULL || horizon == 0);

  if (is_holt_winters (model->method))
    {
      double damping = 0.0;
      double phi_power = 1.0;

      for (guint h = 0; h < horizon; h++)
        {
          int weekday = (model->next_weekday + (int) (h % SEASON)) % SEASON;

          phi_power *= model->phi;
          damping += phi_power;
          out_forecast[h] =
              to_demand (model->level + damping * model->trend + model->season[weekday],
                         model->scale, model->log_sd);
        }
      return;
    }

  /* The simple methods read the kept days as the end of a history. */
  {
    guint         kept = MIN (model->history_days, KEPT_DAYS);
    const double *tail = model->last_weeks + KEPT_DAYS - kept;

    for (guint h = 0; h < horizon; h++)
      {
        double f = model->method == TILL_FORECAST_METHOD_NAIVE
                       ? naive_at (tail, kept, kept + h)
                       : seasonal_mean_at (tail, kept, kept + h);

        out_forecast[h] = clamp_demand (f);
      }
  }
}

/* Σ |actual − forecast| of @method over the last @holdout_days of
 * @history, forecast a week at a time from what was known before each
 * week, as the forecast is used. Holt-Winters keeps the constants fitted
 * before the hold-out and only runs its filter further. */
static double
holdout_error (const double      *history,
               guint              n_days,
               int                first_weekday,
               guint              holdout_days,
               TillForecastMethod method)
{
  guint              train_days = n_days - holdout_days;
  double             scale = 0.0;
  g_autofree double *series = NULL;
  HoltWintersParams  p = { 0 };
  double             error = 0.0;

  /* The constants and the scale are what was known before the hold-out. */
  if (is_holt_winters (method))
    {
      if (method == TILL_FORECAST_METHOD_HOLT_WINTERS)
        scale = log_scale_of (history, train_days);
      series = series_on_scale (history, n_days, scale);
      p = holt_winters_choose (series, train_days);
    }
  for (guint origin = train_days; origin < n_days; origin += SEASON)
    {
      guint             horizon = MIN (SEASON, n_days - origin);
      TillForecastModel model;
      double            forecast[SEASON];

      model_init (&model, history, origin, first_weekday, method);
      if (is_holt_winters (method))
        holt_winters_fill (series, history, origin, first_weekday, &p, scale, &model);
      till_forecast_predict (&model, horizon, forecast);
      for (guint h = 0; h < horizon; h++)
        error += fabs (history[origin + h] - forecast[h]);
    }
  return error;
}

/**
 * till_forecast_fit_best:
 *
 * The methods are compared by their absolute error over the hold-out,
 * which orders them as WAPE does but is defined when nothing sold there.
 * With less than two weeks left to learn from, the seasonal mean is the
 * only sensible choice and is taken without measuring.
 */
void
till_forecast_fit_best (const double      *history,
                        guint              n_days,
                        int                first_weekday,
                        guint              holdout_days,
                        TillForecastModel *out_model)
{
  static const TillForecastMethod candidates[] = {
    TILL_FORECAST_METHOD_HOLT_WINTERS,
    TILL_FORECAST_METHOD_SEASONAL_MEAN,
    TILL_FORECAST_METHOD_NAIVE,
  };
  TillForecastMethod best = TILL_FORECAST_METHOD_SEASONAL_MEAN;
  double             best_error = INFINITY;

  g_return_if_fail (history != NULL || n_days == 0);
  g_return_if_fail (first_weekday >= 0 && first_weekday < SEASON);
  g_return_if_fail (out_model != NULL);

  if (holdout_days > 0 && n_days >= holdout_days + MIN_HOLT_WINTERS_DAYS)
    for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
      {
        double error = holdout_error (history, n_days, first_weekday, holdout_days, candidates[i]);

        /* Holt-Winters, first, is beaten only by a clear lead: over a few
         * weeks of noisy days a small one is chance, and following it costs
         * accuracy (bench-forecast.c: the margin takes the choice from
         * 2 % worse than Holt-Winters alone to level with it). */
        if (i > 0)
          error *= 1.0 + SIMPLER_METHOD_MARGIN;
        if (error < best_error)
          {
            best_error = error;
            best = candidates[i];
          }
      }
  till_forecast_fit (history, n_days, first_weekday, best, out_model);
}

double
till_forecast_wape (const double *actual, const double *forecast, guint n)
{
  double error = 0.0;
  double total = 0.0;

  g_return_val_if_fail ((actual != NULL && forecast != NULL) || n == 0, NAN);

  for (guint i = 0; i < n; i++)
    {
      error += fabs (actual[i] - forecast[i]);
      total += actual[i];
    }
  return total > 0.0 ? error / total : NAN;
}

double
till_forecast_mape (const double *actual, const double *forecast, guint n)
{
  double sum = 0.0;
  guint  count = 0;

  g_return_val_if_fail ((actual != NULL && forecast != NULL) || n == 0, NAN);

  for (guint i = 0; i < n; i++)
    if (actual[i] > 0.0)
      {
        sum += fabs (actual[i] - forecast[i]) / actual[i];
        count++;
      }
  return count > 0 ? sum / count : NAN;
}

/* --- Reorder suggestions ------------------------------------------------------ */

void
till_reorder_suggestion_free (TillReorderSuggestion *suggestion)
{
  if (suggestion == NULL)
    return;
  g_free (suggestion->sku);
  g_free (suggestion->name);
  g_free (suggestion->unit);
  g_free (suggestion->supplier);
  g_free (suggestion);
}

/* "YYYY-MM-DD" strictly, as the rollups write days. */
static gboolean
parse_day (const char *text, GDate *out_day)
{
  unsigned year, month, day;
  char     end;

  if (text == NULL || strlen (text) != 10 ||
      sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &end) != 3 || text[4] != '-' ||
      text[7] != '-' || !g_date_valid_dmy (day, month, year))
    return FALSE;
  g_date_clear (out_day, 1);
  g_date_set_dmy (out_day, day, month, year);
  return TRUE;
}

static void
format_day (const GDate *day, char out_text[11])
{
  g_snprintf (out_text, 11, "%04u-%02u-%02u", g_date_get_year (day), g_date_get_month (day),
              g_date_get_day (day));
}

static const char candidates_sql[] =
    "SELECT p.id, p.sku, p.name, p.unit, p.cost, l.lower, l.upper,"
    " IFNULL (l.lead_time_days, ?3), IFNULL (l.pack_size, ?4), IFNULL (l.supplier, ''),"
    " IFNULL ((SELECT s.quantity FROM stock_level s"
    "          WHERE s.product_id = p.id AND s.location = 'stock'), 0),"
    /* A line received beyond what was ordered has nothing more to come. */
    " IFNULL ((SELECT SUM (MAX (o.quantity - o.received, 0)) FROM purchase_order_line o"
    "          JOIN purchase_order po ON po.uuid = o.po_uuid"
    "          WHERE o.product_id = p.id AND po.state IN ('open', 'partial')), 0)"
    " FROM product p LEFT JOIN stock_limit l ON l.product_id = p.id"
    " WHERE p.active AND (l.lower IS NOT NULL OR EXISTS (SELECT 1 FROM report_product_day r"
    "   WHERE r.product_id = p.id AND r.day >= ?1 AND r.day < ?2"
    "   AND r.quantity - r.returned > 0))"
    " ORDER BY IFNULL (l.supplier, ''), p.sku";

static char *
dup_column_text (TillStmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Every product the list considers, with its limits, stock and what is on
 * order: the forecast is made after the statement is done with. */
static GPtrArray *
read_candidates (TillStore *store, const char *from_day, const char *today, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, candidates_sql, error);
  g_autoptr (GPtrArray) candidates = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) till_reorder_suggestion_free);
  sqlite3_bind_text (stmt, 1, from_day, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, today, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, DEFAULT_LEAD_TIME_DAYS);
  sqlite3_bind_int (stmt, 4, DEFAULT_PACK_SIZE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillReorderSuggestion *candidate = g_new0 (TillReorderSuggestion, 1);

      candidate->product_id = sqlite3_column_int64 (stmt, 0);
      candidate->sku = dup_column_text (stmt, 1);
      candidate->name = dup_column_text (stmt, 2);
      candidate->unit = dup_column_text (stmt, 3);
      candidate->unit_cost = sqlite3_column_int64 (stmt, 4);
      candidate->lower =
          sqlite3_column_type (stmt, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 5);
      candidate->upper =
          sqlite3_column_type (stmt, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 6);
      candidate->lead_time_days = sqlite3_column_int (stmt, 7);
      candidate->pack_size = MAX (sqlite3_column_int64 (stmt, 8), 1);
      candidate->supplier = dup_column_text (stmt, 9);
      candidate->stock = sqlite3_column_int64 (stmt, 10);
      candidate->on_order = sqlite3_column_int64 (stmt, 11);
      g_ptr_array_add (candidates, candidate);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, "reading the products to reorder");
      return NULL;
    }
  return g_steal_pointer (&candidates);
}

/* Forecasts @candidate's demand over its lead time and @cover_days and
 * fills in how much to order (0: nothing). */
static gboolean
suggest_for (TillStore             *store,
             TillReorderSuggestion *candidate,
             const char            *from_day,
             int                    first_weekday,
             guint                  history_days,
             guint                  cover_days,
             GError               **error)
{
  g_autofree gint64 *quantities = g_new (gint64, history_days);
  g_autofree double *history = g_new (double, history_days);
  guint              horizon = (guint) candidate->lead_time_days + cover_days;
  g_autofree double *forecast = g_new (double, MAX (horizon, 1));
  TillForecastModel  model;
  double             demand = 0.0;
  gint64             position = candidate->stock + candidate->on_order;
  gint64             need;

  if (!till_report_get_daily_quantity (store, candidate->product_id, from_day, history_days,
                                       quantities, error))
    return FALSE;
  /* A day with more returned than sold is not negative demand. */
  for (guint i = 0; i < history_days; i++)
    history[i] = (double) MAX (quantities[i], 0);
  till_forecast_fit_best (history, history_days, first_weekday, HOLDOUT_DAYS, &model);
  till_forecast_predict (&model, horizon, forecast);
  for (guint h = 0; h < horizon; h++)
    demand += forecast[h];
  candidate->method = model.method;
  candidate->forecast = (gint64) llround (demand);
  /* The errors of the days until the delivery add up like independent
   * ones: σ grows with the square root of the lead time. */
  candidate->safety =
      (gint64) llround (SAFETY_FACTOR * model.residual_sd * sqrt (candidate->lead_time_days));

  need = candidate->forecast + candidate->safety - position;
  if (candidate->lower >= 0)
    need = MAX (need, candidate->lower - position);
  if (need <= 0)
    return TRUE;
  candidate->suggested =
      (need + candidate->pack_size - 1) / candidate->pack_size * candidate->pack_size;
  /* Nothing arriving sells before it is shelved, so the upper limit holds
   * for stock plus everything on order; whole packs that fit under it. */
  if (candidate->upper >= 0 && position + candidate->suggested > candidate->upper)
    candidate->suggested =
        MAX (candidate->upper - position, 0) / candidate->pack_size * candidate->pack_size;
  return TRUE;
}

/**
 * till_forecast_suggest_reorder:
 *
 * Each product's method is chosen by fit_best with a 4-week hold-out. A
 * product without a stock_limit row has the schema's defaults: a lead time
 * of 2 days and packs of one. When rounding up to a whole pack would pass
 * the upper limit, the order is rounded down instead, even if that leaves
 * the product under its lower limit: the shelf has no room for more.
 *
 * Returns: (transfer full) (element-type TillReorderSuggestion): the
 *   products to order, or %NULL with @error set.
 */
GPtrArray *
till_forecast_suggest_reorder (
    TillStore *store, const char *today, guint history_days, guint cover_days, GError **error)
{
  g_autoptr (GPtrArray) candidates = NULL;
  g_autoptr (GPtrArray) suggestions = NULL;
  GDate from;
  char  from_day[11];

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (history_days > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_day (today, &from))
    {
      g_set_error (error, TILL_FORECAST_ERROR, TILL_FORECAST_ERROR_INVALID_DAY,
                   _ ("“%s” is not a day: write it as YYYY-MM-DD"), today);
      return NULL;
    }
  g_date_subtract_days (&from, history_days);
  format_day (&from, from_day);

  candidates = read_candidates (store, from_day, today, error);
  if (candidates == NULL)
    return NULL;
  suggestions = g_ptr_array_new_with_free_func ((GDestroyNotify) till_reorder_suggestion_free);
  for (guint i = 0; i < candidates->len; i++)
    {
      TillReorderSuggestion *candidate = g_ptr_array_index (candidates, i);

      if (!suggest_for (store, candidate, from_day, g_date_get_weekday (&from) - G_DATE_MONDAY,
                        history_days, cover_days, error))
        return NULL;
      /* Candidates come sorted by supplier and SKU; the list keeps that. */
      if (candidate->suggested > 0)
        g_ptr_array_add (suggestions, g_ptr_array_steal_index (candidates, i--));
    }
  return g_steal_pointer (&suggestions);
}
