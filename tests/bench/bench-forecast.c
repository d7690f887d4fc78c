/* bench-forecast.c: backtest of the daily demand forecast against the naive
 * same-weekday-last-week forecast, and how long a fit takes
 *
 * Three years of daily sales are generated for 300 products: base levels
 * from fast movers (tens a day) to slow, intermittent ones (one every few
 * weeks), a weekly pattern (weekend peaks, weekday peaks or flat), a yearly
 * cycle for some, trends up and down, promotion weeks with an uplift the
 * forecast cannot know about (about 5 % of days), and negative binomial
 * noise (overdispersed Poisson), all from a seeded GRand so every run sees
 * the same history.
 *
 * The backtest is a rolling origin over the last 12 weeks: at each week's
 * start every method is fitted on the history to date and forecasts the
 * next 7 days. WAPE (Σ|a − f| / Σa) and MAPE (over days that sold) are
 * pooled over all products and weeks, with the bias (Σf / Σa − 1): a
 * reorder needs the mean over the lead time, and a forecast can lower its
 * WAPE by forecasting low (the median), which would empty shelves.
 *
 * What it decided: Holt-Winters fits log1p (demand / mean) and maps back
 * with the log-normal mean correction: a promotion's spike upsets it less.
 * Measured against the same filter on the plain scale (holt_winters_plain),
 * WAPE 0.436 against 0.450 at the same bias (+0.4 %); without the
 * correction the log scale reached 0.42 only by forecasting 6 to 12 % low.
 * fit_best lets a simpler method replace Holt-Winters only when it is
 * clearly better on the hold-out: taking the plain winner scored 0.445,
 * worse than Holt-Winters alone, as over 4 noisy weeks a small lead is
 * chance. Slow movers have WAPE above 1 whatever the method (forecasting
 * zero would score 1 there, and empty the shelf): the mean is what the
 * reorder needs, so the bias line is the one to watch for them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "till-core.h"

#include "bench-util.h"

#define N_PRODUCTS 300
#define N_DAYS (3 * 52 * TILL_FORECAST_SEASON) /* 1092 days, starting on a Monday */
#define BACKTEST_WEEKS 12
#define HOLDOUT_DAYS (4 * TILL_FORECAST_SEASON)
#define PROMOTION_WEEK_CHANCE 0.05
#define SEED 20261123

typedef enum
{
  RUN_HOLT_WINTERS,
  RUN_HOLT_WINTERS_PLAIN,
  RUN_SEASONAL_MEAN,
  RUN_NAIVE,
  RUN_BEST,
  N_RUNS,
} Run;

static const char *const run_names[N_RUNS] = {
  "holt_winters", "holt_winters_plain", "seasonal_mean", "naive", "best",
};

/* Products by speed, for a breakdown: slow movers are where the errors are
 * large whatever the method. */
typedef enum
{
  SPEED_SLOW,   /* under one a day: intermittent */
  SPEED_MEDIUM, /* one to ten a day */
  SPEED_FAST,   /* ten a day or more */
  N_SPEEDS,
} Speed;

static const char *const speed_names[N_SPEEDS] = { "slow", "medium", "fast" };

typedef struct
{
  double abs_error;
  double actual;
  double forecast;
  double ape_sum; /* Σ |a − f| / a over days with a > 0 */
  guint  ape_days;
} Score;

/* Weekly patterns (Monday first), each averaging about 1. */
static const double weekend_peak[TILL_FORECAST_SEASON] = { 0.8, 0.8, 0.85, 0.9, 1.1, 1.35, 1.2 };
static const double weekday_peak[TILL_FORECAST_SEASON] = { 1.15, 1.15, 1.1, 1.1, 1.1, 0.75, 0.65 };
static const double flat_week[TILL_FORECAST_SEASON] = { 1, 1, 1, 1, 1, 1, 1 };

static double
sample_normal (GRand *rand)
{
  /* Box-Muller; 1 − u keeps the logarithm finite. */
  double u = 1.0 - g_rand_double (rand);
  double v = g_rand_double (rand);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

/* Marsaglia and Tsang's gamma sampler (shape ≥ 1; boosted below 1). */
static double
sample_gamma (GRand *rand, double shape)
{
  double d, c;

  if (shape < 1.0)
    return sample_gamma (rand, shape + 1.0) * pow (1.0 - g_rand_double (rand), 1.0 / shape);
  d = shape - 1.0 / 3.0;
  c = 1.0 / sqrt (9.0 * d);
  for (;;)
    {
      double x = sample_normal (rand);
      double v = 1.0 + c * x;
      double u;

      if (v <= 0.0)
        continue;
      v = v * v * v;
      u = 1.0 - g_rand_double (rand);
      if (log (u) < 0.5 * x * x + d - d * v + d * log (v))
        return d * v;
    }
}

static double
sample_poisson (GRand *rand, double mean)
{
  if (mean <= 0.0)
    return 0.0;
  if (mean < 30.0)
    {
      /* Knuth's product of uniforms. */
      double limit = exp (-mean);
      double product = g_rand_double (rand);
      double k = 0;

      while (product > limit)
        {
          k++;
          product *= g_rand_double (rand);
        }
      return k;
    }
  return MAX (0.0, round (mean + sqrt (mean) * sample_normal (rand)));
}

/* Negative binomial as a gamma-mixed Poisson: variance mean + mean² / size. */
static double
sample_negative_binomial (GRand *rand, double mean, double size)
{
  return sample_poisson (rand, mean * sample_gamma (rand, size) / size);
}

/* One product's three years (and the mean each day was drawn with), and
 * its speed class. */
static Speed
generate_series (GRand *rand, double *sales, double *means)
{
  /* Log-uniform from one sale in 20 days to 50 a day. */
  double        base = exp (g_rand_double_range (rand, log (0.05), log (50.0)));
  double        kind = g_rand_double (rand);
  const double *week = kind < 0.45 ? weekend_peak : kind < 0.75 ? weekday_peak : flat_week;
  gboolean      yearly = g_rand_double (rand) < 0.35;
  double        yearly_amplitude = g_rand_double_range (rand, 0.15, 0.5);
  double        yearly_phase = g_rand_double_range (rand, 0, 2 * G_PI);
  /* Growth per year, from −35 % to +45 %. */
  double growth = log (g_rand_double_range (rand, 0.65, 1.45)) / 364.0;
  double size = g_rand_double_range (rand, 2.0, 12.0);
  double uplift = 1.0;

  for (guint day = 0; day < N_DAYS; day++)
    {
      double mean;

      if (day % TILL_FORECAST_SEASON == 0)
        uplift = g_rand_double (rand) < PROMOTION_WEEK_CHANCE ? g_rand_double_range (rand, 1.5, 3.0)
                                                              : 1.0;
      mean =
          base * exp (growth * ((double) day - N_DAYS)) * week[day % TILL_FORECAST_SEASON] * uplift;
      if (yearly)
        mean *= 1.0 + yearly_amplitude * sin (2 * G_PI * day / 365.25 + yearly_phase);
      means[day] = mean;
      sales[day] = sample_negative_binomial (rand, mean, size);
    }
  return base < 1.0 ? SPEED_SLOW : base < 10.0 ? SPEED_MEDIUM : SPEED_FAST;
}

static void
score_add (Score *score, const double *actual, const double *forecast, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      double error = fabs (actual[i] - forecast[i]);

      score->abs_error += error;
      score->actual += actual[i];
      score->forecast += forecast[i];
      if (actual[i] > 0.0)
        {
          score->ape_sum += error / actual[i];
          score->ape_days++;
        }
    }
}

static double
score_wape (const Score *score)
{
  return score->actual > 0.0 ? score->abs_error / score->actual : NAN;
}

static double
score_mape (const Score *score)
{
  return score->ape_days > 0 ? score->ape_sum / score->ape_days : NAN;
}

static void
forecast_with (Run run, const double *history, guint n_days, double *out_forecast, guint *wins)
{
  TillForecastModel model;

  switch (run)
    {
    case RUN_HOLT_WINTERS:
      till_forecast_fit (history, n_days, 0, TILL_FORECAST_METHOD_HOLT_WINTERS, &model);
      break;
    case RUN_HOLT_WINTERS_PLAIN:
      till_forecast_fit (history, n_days, 0, TILL_FORECAST_METHOD_HOLT_WINTERS_PLAIN, &model);
      break;
    case RUN_SEASONAL_MEAN:
      till_forecast_fit (history, n_days, 0, TILL_FORECAST_METHOD_SEASONAL_MEAN, &model);
      break;
    case RUN_NAIVE:
      till_forecast_fit (history, n_days, 0, TILL_FORECAST_METHOD_NAIVE, &model);
      break;
    case RUN_BEST:
      till_forecast_fit_best (history, n_days, 0, HOLDOUT_DAYS, &model);
      wins[model.method]++;
      break;
    default:
      g_assert_not_reached ();
    }
  till_forecast_predict (&model, TILL_FORECAST_SEASON, out_forecast);
}

int
main (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED);
  g_autofree double *sales = g_new (double, (gsize) N_PRODUCTS *N_DAYS);
  g_autofree double *means = g_new (double, (gsize) N_PRODUCTS *N_DAYS);
  Score              oracle = { 0 };
  Speed              speeds[N_PRODUCTS];
  Score              total[N_RUNS] = { 0 };
  Score              by_speed[N_RUNS][N_SPEEDS] = { 0 };
  gint64             run_ns[N_RUNS] = { 0 };
  guint              wins[TILL_FORECAST_METHOD_NAIVE + 1] = { 0 };
  guint              n_by_speed[N_SPEEDS] = { 0 };
  gint64             started = bench_now_ns ();
  gint64             fit_ns = 0;
  gint64             hw_fit_ns = 0;
  double             naive_wape, best_wape;

  for (guint p = 0; p < N_PRODUCTS; p++)
    {
      speeds[p] = generate_series (rand, sales + (gsize) p * N_DAYS, means + (gsize) p * N_DAYS);
      n_by_speed[speeds[p]]++;
    }

  for (guint p = 0; p < N_PRODUCTS; p++)
    {
      const double *history = sales + (gsize) p * N_DAYS;

      for (guint week = 0; week < BACKTEST_WEEKS; week++)
        {
          guint origin = N_DAYS - (BACKTEST_WEEKS - week) * TILL_FORECAST_SEASON;

          score_add (&oracle, history + origin, means + (gsize) p * N_DAYS + origin,
                     TILL_FORECAST_SEASON);

          for (Run run = 0; run < N_RUNS; run++)
            {
              double forecast[TILL_FORECAST_SEASON];
              gint64 t0 = bench_now_ns ();

              forecast_with (run, history, origin, forecast, wins);
              run_ns[run] += bench_now_ns () - t0;
              score_add (&total[run], history + origin, forecast, TILL_FORECAST_SEASON);
              score_add (&by_speed[run][speeds[p]], history + origin, forecast,
                         TILL_FORECAST_SEASON);
            }
        }
    }

  /* A fit on the whole three years, as the reorder list does per product. */
  for (guint p = 0; p < N_PRODUCTS; p++)
    {
      TillForecastModel model;
      gint64            t0 = bench_now_ns ();

      till_forecast_fit_best (sales + (gsize) p * N_DAYS, N_DAYS, 0, HOLDOUT_DAYS, &model);
      fit_ns += bench_now_ns () - t0;
      t0 = bench_now_ns ();
      till_forecast_fit (sales + (gsize) p * N_DAYS, N_DAYS, 0, TILL_FORECAST_METHOD_HOLT_WINTERS,
                         &model);
      hw_fit_ns += bench_now_ns () - t0;
    }

  g_print ("bench: forecast_products %u products (%u slow, %u medium, %u fast), %u days, "
           "%u backtest weeks\n",
           N_PRODUCTS, n_by_speed[SPEED_SLOW], n_by_speed[SPEED_MEDIUM], n_by_speed[SPEED_FAST],
           N_DAYS, BACKTEST_WEEKS);
  for (Run run = 0; run < N_RUNS; run++)
    {
      if (run == RUN_BEST)
        continue;
      g_print ("bench: forecast_wape_%s %.3f ratio\n", run_names[run], score_wape (&total[run]));
    }
  /* The floor: the mean each day was drawn with, promotions included,
   * which no forecast can know. */
  g_print ("bench: forecast_wape_oracle %.3f ratio (the noise floor)\n", score_wape (&oracle));
  naive_wape = score_wape (&total[RUN_NAIVE]);
  best_wape = score_wape (&total[RUN_BEST]);
  g_print ("bench: forecast_wape_best %.3f ratio (target < naive %.3f)\n", best_wape, naive_wape);
  /* Σf / Σa − 1: above 0 forecasts too much. */
  for (Run run = 0; run < N_RUNS; run++)
    g_print ("bench: forecast_bias_%s %.3f ratio\n", run_names[run],
             total[run].forecast / total[run].actual - 1);
  for (Run run = 0; run < N_RUNS; run++)
    g_print ("bench: forecast_mape_%s %.3f ratio\n", run_names[run], score_mape (&total[run]));
  for (Speed speed = 0; speed < N_SPEEDS; speed++)
    for (Run run = 0; run < N_RUNS; run++)
      g_print ("bench: forecast_wape_%s_%s %.3f ratio\n", speed_names[speed], run_names[run],
               score_wape (&by_speed[run][speed]));
  g_print ("bench: forecast_wape_improvement_vs_naive %.1f %% (target >= 15 %%)\n",
           100.0 * (naive_wape - best_wape) / naive_wape);
  g_print ("bench: forecast_best_chose holt-winters %u, seasonal-mean %u, naive %u times\n",
           wins[TILL_FORECAST_METHOD_HOLT_WINTERS], wins[TILL_FORECAST_METHOD_SEASONAL_MEAN],
           wins[TILL_FORECAST_METHOD_NAIVE]);
  for (Run run = 0; run < N_RUNS; run++)
    g_print ("bench: forecast_backtest_time_%s %.0f us per fit\n", run_names[run],
             run_ns[run] / 1e3 / (N_PRODUCTS * BACKTEST_WEEKS));
  g_print ("bench: forecast_fit_per_product %.0f us (fit_best on %u days)\n",
           fit_ns / 1e3 / N_PRODUCTS, N_DAYS);
  g_print ("bench: forecast_fit_holt_winters_per_product %.0f us (target < 10000 us)\n",
           hw_fit_ns / 1e3 / N_PRODUCTS);
  g_print ("bench: forecast_total_time %.1f s (target < 60 s)\n",
           (bench_now_ns () - started) / 1e9);
  return 0;
}
