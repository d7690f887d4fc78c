/* test-forecast.c: tests for src/core/till-forecast.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

#define WEEK TILL_FORECAST_SEASON

/* --- The forecast ------------------------------------------------------------- */

/* A weekly pattern around a rising level (Monday first): a weekend shop. */
static const double pattern[WEEK] = { -20, -15, -10, 0, 10, 30, 5 };

static double
patterned_day (guint t)
{
  return 100.0 + 0.5 * t + pattern[t % WEEK];
}

/* /core/forecast/holt-winters-recovers-pattern */
START_TEST (test_holt_winters_recovers_pattern)
{
  double            history[16 * WEEK];
  double            forecast[2 * WEEK];
  TillForecastModel model;

  for (guint t = 0; t < G_N_ELEMENTS (history); t++)
    history[t] = patterned_day (t);
  till_forecast_fit (history, G_N_ELEMENTS (history), 0, TILL_FORECAST_METHOD_HOLT_WINTERS, &model);
  ck_assert_int_eq (model.method, TILL_FORECAST_METHOD_HOLT_WINTERS);
  ck_assert_uint_eq (model.history_days, G_N_ELEMENTS (history));
  ck_assert_int_eq (model.next_weekday, 0); /* 16 whole weeks from a Monday */
  till_forecast_predict (&model, G_N_ELEMENTS (forecast), forecast);
  for (guint h = 0; h < G_N_ELEMENTS (forecast); h++)
    {
      double truth = patterned_day (G_N_ELEMENTS (history) + h);

      ck_assert_msg (fabs (forecast[h] - truth) < 0.04 * truth, "day %u: %.2f, not %.2f", h,
                     forecast[h], truth);
    }
  /* The shape, not only the level: Saturday above Wednesday by about the
   * pattern's 40. */
  ck_assert_msg (fabs ((forecast[5] - forecast[2]) - 40.0) < 6.0, "Sat − Wed = %.2f",
                 forecast[5] - forecast[2]);
  ck_assert (model.residual_sd < 3.0);
}
END_TEST

/* /core/forecast/weekday-follows-first-day */
START_TEST (test_weekday_follows_first_day)
{
  double            history[10 * WEEK + 3];
  double            forecast[WEEK];
  TillForecastModel model;
  const int         first_weekday = 3; /* a Thursday */

  /* Only Saturdays sell. */
  for (guint t = 0; t < G_N_ELEMENTS (history); t++)
    history[t] = (first_weekday + t) % WEEK == 5 ? 70.0 : 0.0;
  till_forecast_fit (history, G_N_ELEMENTS (history), first_weekday,
                     TILL_FORECAST_METHOD_HOLT_WINTERS, &model);
  ck_assert_int_eq (model.next_weekday, (first_weekday + G_N_ELEMENTS (history)) % WEEK);
  till_forecast_predict (&model, WEEK, forecast);
  for (guint h = 0; h < WEEK; h++)
    {
      gboolean saturday = (model.next_weekday + h) % WEEK == 5;

      if (saturday)
        ck_assert_msg (fabs (forecast[h] - 70.0) < 7.0, "Saturday: %.2f", forecast[h]);
      else
        ck_assert_msg (forecast[h] < 7.0, "day %u: %.2f", h, forecast[h]);
    }
}
END_TEST

/* /core/forecast/zero-history-forecasts-zero */
START_TEST (test_zero_history_forecasts_zero)
{
  double history[9 * WEEK] = { 0 };
  double forecast[3 * WEEK];

  for (int method = TILL_FORECAST_METHOD_HOLT_WINTERS;
       method <= TILL_FORECAST_METHOD_HOLT_WINTERS_PLAIN; method++)
    {
      TillForecastModel model;

      till_forecast_fit (history, G_N_ELEMENTS (history), 2, method, &model);
      till_forecast_predict (&model, G_N_ELEMENTS (forecast), forecast);
      for (guint h = 0; h < G_N_ELEMENTS (forecast); h++)
        ck_assert_msg (forecast[h] == 0.0, "%s day %u: %g", till_forecast_method_to_string (method),
                       h, forecast[h]);
      ck_assert (model.residual_sd == 0.0);
    }
  {
    TillForecastModel model;

    till_forecast_fit_best (history, G_N_ELEMENTS (history), 2, 4 * WEEK, &model);
    till_forecast_predict (&model, G_N_ELEMENTS (forecast), forecast);
    for (guint h = 0; h < G_N_ELEMENTS (forecast); h++)
      ck_assert (forecast[h] == 0.0);
  }
  /* No history at all. */
  {
    TillForecastModel model;

    till_forecast_fit (NULL, 0, 0, TILL_FORECAST_METHOD_HOLT_WINTERS, &model);
    till_forecast_predict (&model, WEEK, forecast);
    for (guint h = 0; h < WEEK; h++)
      ck_assert (forecast[h] == 0.0);
  }
}
END_TEST

/* /core/forecast/never-negative */
START_TEST (test_never_negative)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  double history[12 * WEEK];
  double forecast[8 * WEEK];

  /* A product being phased out: falling fast, then gone, with a few
   * stray returns (negative days) and spikes. */
  for (guint t = 0; t < G_N_ELEMENTS (history); t++)
    history[t] = MAX (0.0, 300.0 - 6.0 * t) + (t % 11 == 0 ? 80.0 : 0.0) - (t % 13 == 0 ? 5 : 0);
  for (int method = TILL_FORECAST_METHOD_HOLT_WINTERS;
       method <= TILL_FORECAST_METHOD_HOLT_WINTERS_PLAIN; method++)
    {
      TillForecastModel model;

      till_forecast_fit (history, G_N_ELEMENTS (history), 0, method, &model);
      till_forecast_predict (&model, G_N_ELEMENTS (forecast), forecast);
      for (guint h = 0; h < G_N_ELEMENTS (forecast); h++)
        ck_assert_msg (forecast[h] >= 0.0, "%s day %u: %g", till_forecast_method_to_string (method),
                       h, forecast[h]);
    }
  /* Random intermittent demand. */
  for (guint t = 0; t < G_N_ELEMENTS (history); t++)
    history[t] = g_rand_double (rand) < 0.15 ? g_rand_int_range (rand, 1, 20) : 0.0;
  for (int method = TILL_FORECAST_METHOD_HOLT_WINTERS;
       method <= TILL_FORECAST_METHOD_HOLT_WINTERS_PLAIN; method++)
    {
      TillForecastModel model;

      till_forecast_fit (history, G_N_ELEMENTS (history), 0, method, &model);
      till_forecast_predict (&model, G_N_ELEMENTS (forecast), forecast);
      for (guint h = 0; h < G_N_ELEMENTS (forecast); h++)
        ck_assert (forecast[h] >= 0.0 && isfinite (forecast[h]));
    }
}
END_TEST

/* /core/forecast/simple-methods */
START_TEST (test_simple_methods)
{
  double            history[6 * WEEK];
  double            forecast[2 * WEEK];
  TillForecastModel model;

  /* Day t of week w sells 10 w + t: the last four weeks are 2..5. */
  for (guint t = 0; t < G_N_ELEMENTS (history); t++)
    history[t] = 10.0 * (t / WEEK) + t % WEEK;

  till_forecast_fit (history, G_N_ELEMENTS (history), 0, TILL_FORECAST_METHOD_NAIVE, &model);
  ck_assert_int_eq (model.method, TILL_FORECAST_METHOD_NAIVE);
  till_forecast_predict (&model, G_N_ELEMENTS (forecast), forecast);
  for (guint h = 0; h < G_N_ELEMENTS (forecast); h++)
    ck_assert_double_eq (forecast[h], 50.0 + h % WEEK);
  /* Every week is 10 above the one before: each one-step error is 10. */
  ck_assert_double_eq_tol (model.residual_sd, 10.0, 1e-9);

  till_forecast_fit (history, G_N_ELEMENTS (history), 0, TILL_FORECAST_METHOD_SEASONAL_MEAN,
                     &model);
  till_forecast_predict (&model, G_N_ELEMENTS (forecast), forecast);
  for (guint h = 0; h < G_N_ELEMENTS (forecast); h++)
    ck_assert_double_eq_tol (forecast[h], 35.0 + h % WEEK, 1e-9); /* (20+30+40+50)/4 */
}
END_TEST

/* /core/forecast/short-history */
START_TEST (test_short_history)
{
  const double      history[] = { 4, 8, 6, 2, 10, 12, 0, 6, 10 };
  double            forecast[WEEK];
  TillForecastModel model;

  /* Under two weeks, Holt-Winters gives way to the seasonal mean. */
  till_forecast_fit (history, G_N_ELEMENTS (history), 0, TILL_FORECAST_METHOD_HOLT_WINTERS, &model);
  ck_assert_int_eq (model.method, TILL_FORECAST_METHOD_SEASONAL_MEAN);
  till_forecast_predict (&model, WEEK, forecast);
  /* The next day is a Wednesday: the history's only one sold 6. */
  ck_assert_double_eq (forecast[0], 6.0);
  ck_assert_double_eq (forecast[1], 2.0);
  /* Monday: the mean of 4 and 6. */
  ck_assert_double_eq (forecast[5], 5.0);

  /* Under one week: the mean of it all. */
  till_forecast_fit (history, 3, 0, TILL_FORECAST_METHOD_NAIVE, &model);
  till_forecast_predict (&model, WEEK, forecast);
  for (guint h = 0; h < WEEK; h++)
    ck_assert_double_eq (forecast[h], 6.0);

  till_forecast_fit_best (history, G_N_ELEMENTS (history), 0, 4 * WEEK, &model);
  ck_assert_int_eq (model.method, TILL_FORECAST_METHOD_SEASONAL_MEAN);
}
END_TEST

/* /core/forecast/error-measures */
START_TEST (test_error_measures)
{
  const double actual[] = { 10, 0, 5, 5 };
  const double forecast[] = { 8, 2, 5, 10 };
  const double zeros[] = { 0, 0, 0, 0 };

  /* (2 + 2 + 0 + 5) / 20 */
  ck_assert_double_eq_tol (till_forecast_wape (actual, forecast, 4), 0.45, 1e-12);
  /* Days that sold: (0.2 + 0 + 1) / 3; the day with nothing sold is left out. */
  ck_assert_double_eq_tol (till_forecast_mape (actual, forecast, 4), 0.4, 1e-12);
  ck_assert_double_eq (till_forecast_wape (actual, actual, 4), 0.0);
  /* Forecasting nothing misses everything. */
  ck_assert_double_eq (till_forecast_wape (actual, zeros, 4), 1.0);
  ck_assert_double_eq (till_forecast_mape (actual, zeros, 4), 1.0);
  /* Undefined when nothing sold, or with no days. */
  ck_assert (isnan (till_forecast_wape (zeros, forecast, 4)));
  ck_assert (isnan (till_forecast_mape (zeros, forecast, 4)));
  ck_assert (isnan (till_forecast_wape (NULL, NULL, 0)));
  ck_assert (isnan (till_forecast_mape (NULL, NULL, 0)));
}
END_TEST

static double
sample_poisson (GRand *rand, double mean)
{
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

/* /core/forecast/fit-best-beats-naive */
START_TEST (test_fit_best_beats_naive)
{
  static const double week[WEEK] = { 6, 6, 7, 8, 12, 20, 16 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  double            history[30 * WEEK];
  const guint       test_days = 4 * WEEK;
  const guint       train_days = G_N_ELEMENTS (history) - test_days;
  double            best_forecast[4 * WEEK];
  double            naive_forecast[4 * WEEK];
  TillForecastModel best;
  TillForecastModel naive;
  double            best_wape, naive_wape;

  for (guint t = 0; t < G_N_ELEMENTS (history); t++)
    history[t] = sample_poisson (rand, week[t % WEEK]);
  till_forecast_fit_best (history, train_days, 0, 4 * WEEK, &best);
  till_forecast_fit (history, train_days, 0, TILL_FORECAST_METHOD_NAIVE, &naive);
  ck_assert_int_ne (best.method, TILL_FORECAST_METHOD_NAIVE);
  till_forecast_predict (&best, test_days, best_forecast);
  till_forecast_predict (&naive, test_days, naive_forecast);
  best_wape = till_forecast_wape (history + train_days, best_forecast, test_days);
  naive_wape = till_forecast_wape (history + train_days, naive_forecast, test_days);
  ck_assert_msg (best_wape < 0.85 * naive_wape, "best %.3f, naive %.3f", best_wape, naive_wape);
}
END_TEST

/* /core/forecast/method-names */
START_TEST (test_method_names)
{
  ck_assert_str_eq (till_forecast_method_to_string (TILL_FORECAST_METHOD_HOLT_WINTERS),
                    "holt-winters");
  ck_assert_str_eq (till_forecast_method_to_string (TILL_FORECAST_METHOD_SEASONAL_MEAN),
                    "seasonal-mean");
  ck_assert_str_eq (till_forecast_method_to_string (TILL_FORECAST_METHOD_NAIVE), "naive");
}
END_TEST

/* --- Reorder suggestions on a real store ------------------------------------------ */

/* Eight weeks of history from Monday 2026-03-02; the list is made on the
 * day after. */
#define HISTORY_DAYS (8 * WEEK)
#define TODAY "2026-04-27"

enum
{
  STEADY = 1,   /* 5 a day, packs of 12, supplier Beta */
  ON_ORDER = 2, /* 5 a day, 30 on order, supplier Alpha */
  LOW = 3,      /* no sales, under its lower limit, packs of 6, supplier Alpha */
  CAPPED = 4,   /* 5 a day, upper limit 40, packs of 12, no supplier */
  STOCKED = 5,  /* 5 a day, 500 in stock */
  RETIRED = 6,  /* inactive, under its lower limit */
};

static char        *scratch;
static TillStore   *store;
static TillJournal *journal;

static void
exec_sql (const char *sql)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_exec (store, sql, &error), "%s: %s", sql, error ? error->message : "");
}

/* Noon on day @day of the history, local time, in µs. */
static gint64
history_noon_us (guint day)
{
  g_autoptr (GDateTime) start = g_date_time_new_local (2026, 3, 2, 12, 0, 0);
  g_autoptr (GDateTime) noon = g_date_time_add_days (start, (int) day);

  return g_date_time_to_unix (noon) * G_USEC_PER_SEC;
}

/* One sale a day of 5 of each product that sells, recorded as the schema
 * holds one (journal entry, sale, lines), then folded into the rollups. */
static void
record_sales_history (void)
{
  static const gint64 selling[] = { STEADY, ON_ORDER, CAPPED, STOCKED };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
  gboolean done = FALSE;

  for (guint day = 0; day < HISTORY_DAYS; day++)
    {
      g_autoptr (sqlite3_stmt) sale = NULL;
      g_autofree char *uuid = g_strdup_printf ("sale-%03u", day);
      gint64           created_us = history_noon_us (day);
      gint64           seq = 0;

      ck_assert (till_store_begin (store, &error));
      ck_assert_msg (
          till_journal_append (journal, "sale", uuid, created_us, body, &seq, NULL, &error), "%s",
          error ? error->message : "");
      ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                            "INSERT INTO sale (uuid, receipt_no, till_id, "
                                            "business_day, created_us, cashier_code, cashier_name, "
                                            "subtotal, rounding, total, item_count, journal_seq) "
                                            "VALUES (?, ?, 'T1', '2026-03-02', ?, '1001', "
                                            "'王小丽', 10000, 0, 10000, 20, ?)",
                                            -1, &sale, NULL),
                        SQLITE_OK);
      sqlite3_bind_text (sale, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (sale, 2, (int) day + 1);
      sqlite3_bind_int64 (sale, 3, created_us);
      sqlite3_bind_int64 (sale, 4, seq);
      ck_assert_int_eq (sqlite3_step (sale), SQLITE_DONE);
      for (guint i = 0; i < G_N_ELEMENTS (selling); i++)
        {
          g_autoptr (sqlite3_stmt) line = NULL;

          ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                                "INSERT INTO sale_line (sale_uuid, line_no, "
                                                "product_id, sku, name, unit, quantity, "
                                                "unit_price, amount, vat_rate, weighed) "
                                                "VALUES (?, ?, ?, 'X', 'X', '个', 5000, 500, "
                                                "2500, 1300, 0)",
                                                -1, &line, NULL),
                            SQLITE_OK);
          sqlite3_bind_text (line, 1, uuid, -1, SQLITE_STATIC);
          sqlite3_bind_int (line, 2, (int) i + 1);
          sqlite3_bind_int64 (line, 3, selling[i]);
          ck_assert_int_eq (sqlite3_step (line), SQLITE_DONE);
        }
      ck_assert (till_store_commit (store, &error));
    }
  ck_assert_msg (till_report_refresh (store, 0, &done, &error), "%s", error ? error->message : "");
  ck_assert (done);
}

static void
store_setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");

  exec_sql ("INSERT INTO product (id, sku, name, unit, price, cost, active) VALUES"
            " (1, 'P-A', '农夫山泉 550ml', '瓶', 200, 110, 1),"
            " (2, 'P-B', '康师傅红烧牛肉面', '袋', 450, 300, 1),"
            " (3, 'P-C', '蒙牛纯牛奶', '盒', 350, 250, 1),"
            " (4, 'P-D', '可口可乐 330ml', '罐', 300, 180, 1),"
            " (5, 'P-E', '乐事薯片', '袋', 800, 500, 1),"
            " (6, 'P-F', '旧款饼干', '袋', 500, 300, 0)");
  exec_sql ("INSERT INTO stock_limit (product_id, lower, upper, lead_time_days, pack_size,"
            " supplier) VALUES"
            " (1, NULL, NULL, 3, 12000, 'Beta'),"
            " (2, NULL, NULL, 3, 1000, 'Alpha'),"
            " (3, 20000, 30000, 3, 6000, 'Alpha'),"
            " (4, NULL, 40000, 3, 12000, NULL),"
            " (5, 20000, NULL, 3, 1000, NULL),"
            " (6, 20000, NULL, 3, 1000, 'Alpha')");
  /* Stock as movements: 10 of the sellers, 5 of the low one, 500 of the
   * well-stocked one, a damaged 100 that is not saleable. */
  exec_sql ("INSERT INTO stock_move (product_id, delta, reason, created_us, location) VALUES"
            " (1, 10000, 'receiving', 1, 'stock'), (2, 10000, 'receiving', 1, 'stock'),"
            " (3, 5000, 'receiving', 1, 'stock'), (4, 10000, 'receiving', 1, 'stock'),"
            " (4, 100000, 'damage', 1, 'damaged'), (5, 500000, 'receiving', 1, 'stock')");
  /* On order for P-B: 24 on an open order, 6 still to come of a partly
   * received line; a received and a cancelled order bring nothing more. */
  exec_sql ("INSERT INTO purchase_order (uuid, po_no, supplier, state, created_us, created_by)"
            " VALUES ('po-1', 1, 'Alpha', 'open', 1, '1001'),"
            " ('po-2', 2, 'Alpha', 'partial', 1, '1001'),"
            " ('po-3', 3, 'Alpha', 'received', 1, '1001'),"
            " ('po-4', 4, 'Alpha', 'cancelled', 1, '1001')");
  exec_sql ("INSERT INTO purchase_order_line (po_uuid, line_no, product_id, quantity, unit_cost,"
            " received) VALUES ('po-1', 1, 2, 24000, 300, 0), ('po-2', 1, 2, 10000, 300, 4000),"
            " ('po-3', 1, 2, 50000, 300, 50000), ('po-4', 1, 2, 70000, 300, 0)");
  record_sales_history ();
}

static void
store_teardown (void)
{
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static const TillReorderSuggestion *
find_suggestion (GPtrArray *suggestions, gint64 product_id)
{
  for (guint i = 0; i < suggestions->len; i++)
    {
      const TillReorderSuggestion *suggestion = g_ptr_array_index (suggestions, i);

      if (suggestion->product_id == product_id)
        return suggestion;
    }
  return NULL;
}

static GPtrArray *
suggest (void)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *suggestions = till_forecast_suggest_reorder (store, TODAY, HISTORY_DAYS, 7, &error);

  ck_assert_msg (suggestions != NULL, "%s", error ? error->message : "");
  return suggestions;
}

/* /core/forecast/reorder-history-from-rollups */
START_TEST (test_reorder_history_from_rollups)
{
  g_autoptr (GError) error = NULL;
  gint64 quantities[HISTORY_DAYS];

  /* What the forecast learns from is there: 5 a day, every day. */
  ck_assert_msg (till_report_get_daily_quantity (store, STEADY, "2026-03-02", HISTORY_DAYS,
                                                 quantities, &error),
                 "%s", error ? error->message : "");
  for (guint i = 0; i < HISTORY_DAYS; i++)
    ck_assert_int_eq (quantities[i], 5000);
}
END_TEST

/* /core/forecast/reorder-rounds-to-packs */
START_TEST (test_reorder_rounds_to_packs)
{
  g_autoptr (GPtrArray) suggestions = suggest ();
  const TillReorderSuggestion *steady = find_suggestion (suggestions, STEADY);

  ck_assert_ptr_nonnull (steady);
  ck_assert_str_eq (steady->sku, "P-A");
  ck_assert_str_eq (steady->name, "农夫山泉 550ml");
  ck_assert_str_eq (steady->unit, "瓶");
  ck_assert_str_eq (steady->supplier, "Beta");
  ck_assert_int_eq (steady->stock, 10000);
  ck_assert_int_eq (steady->on_order, 0);
  ck_assert_int_eq (steady->lead_time_days, 3);
  ck_assert_int_eq (steady->pack_size, 12000);
  ck_assert_int_eq (steady->unit_cost, 110);
  ck_assert_int_eq (steady->lower, -1);
  ck_assert_int_eq (steady->upper, -1);
  /* 5 a day over 3 days' lead time and 7 days' cover; a steady seller
   * needs almost no safety stock. */
  ck_assert_msg (llabs (steady->forecast - 50000) <= 500, "forecast %" G_GINT64_FORMAT,
                 steady->forecast);
  ck_assert_msg (steady->safety < 1000, "safety %" G_GINT64_FORMAT, steady->safety);
  /* 40 short: 4 packs of 12. */
  ck_assert_int_eq (steady->suggested, 48000);
}
END_TEST

/* /core/forecast/reorder-subtracts-on-order */
START_TEST (test_reorder_subtracts_on_order)
{
  g_autoptr (GPtrArray) suggestions = suggest ();
  const TillReorderSuggestion *on_order = find_suggestion (suggestions, ON_ORDER);

  ck_assert_ptr_nonnull (on_order);
  ck_assert_int_eq (on_order->on_order, 30000);
  ck_assert_int_eq (on_order->stock, 10000);
  /* 50 wanted, 10 in stock, 30 coming: 10 more. */
  ck_assert_int_eq (on_order->suggested, 10000);
}
END_TEST

/* /core/forecast/reorder-reaches-lower-limit */
START_TEST (test_reorder_reaches_lower_limit)
{
  g_autoptr (GPtrArray) suggestions = suggest ();
  const TillReorderSuggestion *low = find_suggestion (suggestions, LOW);

  /* It never sold, but it is 15 under its lower limit: 3 packs of 6. */
  ck_assert_ptr_nonnull (low);
  ck_assert_int_eq (low->forecast, 0);
  ck_assert_int_eq (low->lower, 20000);
  ck_assert_int_eq (low->upper, 30000);
  ck_assert_int_eq (low->suggested, 18000);
  ck_assert (low->stock + low->on_order + low->suggested >= low->lower);
}
END_TEST

/* /core/forecast/reorder-respects-upper-limit */
START_TEST (test_reorder_respects_upper_limit)
{
  g_autoptr (GPtrArray) suggestions = suggest ();
  const TillReorderSuggestion *capped = find_suggestion (suggestions, CAPPED);

  ck_assert_ptr_nonnull (capped);
  /* The damaged 100 are not saleable stock. */
  ck_assert_int_eq (capped->stock, 10000);
  ck_assert_int_eq (capped->upper, 40000);
  /* 48 wanted, but only 30 fit under the limit: 2 whole packs of 12. */
  ck_assert_int_eq (capped->suggested, 24000);
  ck_assert (capped->stock + capped->on_order + capped->suggested <= capped->upper);
  ck_assert_str_eq (capped->supplier, "");
}
END_TEST

/* /core/forecast/reorder-lists-only-what-to-order */
START_TEST (test_reorder_lists_only_what_to_order)
{
  g_autoptr (GPtrArray) suggestions = suggest ();
  static const gint64 expected[] = { CAPPED, ON_ORDER, LOW, STEADY };

  /* The well-stocked and the inactive products are left out; the rest by
   * supplier ("" first), then SKU. */
  ck_assert_ptr_null (find_suggestion (suggestions, STOCKED));
  ck_assert_ptr_null (find_suggestion (suggestions, RETIRED));
  ck_assert_uint_eq (suggestions->len, G_N_ELEMENTS (expected));
  for (guint i = 0; i < suggestions->len; i++)
    {
      const TillReorderSuggestion *suggestion = g_ptr_array_index (suggestions, i);

      ck_assert_int_eq (suggestion->product_id, expected[i]);
      ck_assert_int_gt (suggestion->suggested, 0);
      ck_assert_int_eq (suggestion->suggested % suggestion->pack_size, 0);
    }
}
END_TEST

/* /core/forecast/reorder-received-stock-satisfies */
START_TEST (test_reorder_received_stock_satisfies)
{
  g_autoptr (GPtrArray) suggestions = NULL;

  /* The steady seller's 48 arrive: nothing more to order for it. */
  exec_sql ("INSERT INTO stock_move (product_id, delta, reason, created_us) VALUES"
            " (1, 48000, 'receiving', 2)");
  suggestions = suggest ();
  ck_assert_ptr_null (find_suggestion (suggestions, STEADY));
}
END_TEST

/* /core/forecast/reorder-bad-day */
START_TEST (test_reorder_bad_day)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) suggestions =
      till_forecast_suggest_reorder (store, "2026-4-27", 56, 7, &error);

  ck_assert_ptr_null (suggestions);
  ck_assert (g_error_matches (error, TILL_FORECAST_ERROR, TILL_FORECAST_ERROR_INVALID_DAY));
  g_clear_error (&error);
  suggestions = till_forecast_suggest_reorder (store, "2026-02-30", 56, 7, &error);
  ck_assert_ptr_null (suggestions);
  ck_assert (g_error_matches (error, TILL_FORECAST_ERROR, TILL_FORECAST_ERROR_INVALID_DAY));
}
END_TEST

static Suite *
forecast_suite (void)
{
  Suite *suite = suite_create ("forecast");
  struct
  {
    const char  *name;
    const TTest *test;
    gboolean     with_store;
  } cases[] = {
    { "/core/forecast/holt-winters-recovers-pattern", test_holt_winters_recovers_pattern, FALSE },
    { "/core/forecast/weekday-follows-first-day", test_weekday_follows_first_day, FALSE },
    { "/core/forecast/zero-history-forecasts-zero", test_zero_history_forecasts_zero, FALSE },
    { "/core/forecast/never-negative", test_never_negative, FALSE },
    { "/core/forecast/simple-methods", test_simple_methods, FALSE },
    { "/core/forecast/short-history", test_short_history, FALSE },
    { "/core/forecast/error-measures", test_error_measures, FALSE },
    { "/core/forecast/fit-best-beats-naive", test_fit_best_beats_naive, FALSE },
    { "/core/forecast/method-names", test_method_names, FALSE },
    { "/core/forecast/reorder-history-from-rollups", test_reorder_history_from_rollups, TRUE },
    { "/core/forecast/reorder-rounds-to-packs", test_reorder_rounds_to_packs, TRUE },
    { "/core/forecast/reorder-subtracts-on-order", test_reorder_subtracts_on_order, TRUE },
    { "/core/forecast/reorder-reaches-lower-limit", test_reorder_reaches_lower_limit, TRUE },
    { "/core/forecast/reorder-respects-upper-limit", test_reorder_respects_upper_limit, TRUE },
    { "/core/forecast/reorder-lists-only-what-to-order", test_reorder_lists_only_what_to_order,
      TRUE },
    { "/core/forecast/reorder-received-stock-satisfies", test_reorder_received_stock_satisfies,
      TRUE },
    { "/core/forecast/reorder-bad-day", test_reorder_bad_day, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      if (cases[i].with_store)
        tcase_add_checked_fixture (tcase, store_setup, store_teardown);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }
  return suite;
}

int
main (void)
{
  return till_test_run_suite (forecast_suite ());
}
