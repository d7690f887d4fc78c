/* bench-report.c: folding a year of a busy store into the report rollups,
 * and every report over that year
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Generated straight into the raw tables, in one transaction, as the sale
 * and return paths would have written them: 2,000 products in 40
 * categories, 8 cashiers, 30,000 members; 500,000 sales over the 365 days
 * before today (1–6 lines, about 3.5; busier at noon and in the evening; 30 % for
 * members, with their points; cash, card, WeChat, Alipay; some discounts),
 * each with its journal row (dummy hashes: the journal's triggers only stop
 * changes) and its stock movements; 1 % of sales partly returned; voided
 * lines and sales in the journal; cash movements; monthly receiving.
 *
 * Timed: till_report_refresh() over all of it, once (the first fold of a
 * till that upgrades); then each report kind over the whole year, 5 runs,
 * of which the worst is printed against the 200 ms target. Build it with
 * --buildtype=release to measure. The database lives in /dev/shm when there
 * is one, else $TMPDIR, or in the first argument.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdlib.h>

#include "till-core.h"

#include "bench-util.h"

#define N_PRODUCTS 2000
#define N_CATEGORIES 40
#define N_CASHIERS 8
#define N_MEMBERS 30000
#define N_SALES 500000
#define N_DAYS 365
#define N_RUNS 5
#define TARGET_MS 200.0

typedef struct
{
  TillStore *store;
  GRand     *rand;
  gint64     prices[N_PRODUCTS + 1];
  gint64     costs[N_PRODUCTS + 1];
  gint64     first_midnight_us; /* local midnight of the first day */
  gint64     journal_seq;
} Bench;

static void
die (const char *what, GError *error)
{
  g_printerr ("bench-report: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

static sqlite3_stmt *
prepare (Bench *bench, const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (till_store_get_db (bench->store), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_printerr ("bench-report: %s: %s\n", sql, sqlite3_errmsg (till_store_get_db (bench->store)));
      exit (1);
    }
  return stmt;
}

static void
step (Bench *bench, sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_printerr ("bench-report: %s: %s\n", sqlite3_sql (stmt),
                  sqlite3_errmsg (till_store_get_db (bench->store)));
      exit (1);
    }
  sqlite3_reset (stmt);
}

static void
exec (Bench *bench, const char *sql)
{
  g_autoptr (GError) error = NULL;

  if (!till_store_exec (bench->store, sql, &error))
    die (sql, error);
}

/* Statements of the generator, prepared once. */
typedef struct
{
  sqlite3_stmt *journal, *sale, *line, *move, *payment, *points;
  sqlite3_stmt *ret, *ret_line, *refund;
} Writers;

static void
writers_init (Bench *bench, Writers *w)
{
  w->journal = prepare (bench, "INSERT INTO journal (kind, ref_uuid, created_us, body, body_sha256,"
                               " prev_hash, entry_hash, sig) VALUES (?, ?, ?, ?, x'00', x'00',"
                               " x'00', x'00')");
  w->sale = prepare (bench, "INSERT INTO sale (uuid, receipt_no, till_id, business_day, created_us,"
                            " cashier_code, cashier_name, subtotal, rounding, total, item_count,"
                            " journal_seq, member_id, member_masked, points_earned)"
                            " VALUES (?1, ?2, 'T01', date (?3 / 1000000, 'unixepoch', 'localtime'),"
                            " ?3, ?4, ?4, ?5, 0, ?5, ?6, ?7, ?8, ?9, ?10)");
  w->line =
      prepare (bench, "INSERT INTO sale_line (sale_uuid, line_no, product_id, sku, name, unit,"
                      " quantity, unit_price, amount, vat_rate, weighed, line_discount,"
                      " unit_cost) VALUES (?, ?, ?, 'sku', 'name', '个', ?, ?, ?, 1300, 0,"
                      " ?, ?)");
  w->move = prepare (bench, "INSERT INTO stock_move (product_id, delta, reason, ref_uuid,"
                            " created_us) VALUES (?, ?, ?, ?, ?)");
  w->payment = prepare (bench, "INSERT INTO payment (sale_uuid, line_no, method, amount, tendered,"
                               " change, kind) VALUES (?, 1, ?, ?, ?, 0, ?)");
  w->points = prepare (bench, "INSERT INTO member_points (op_uuid, member_id, kind, points,"
                              " sale_uuid, created_us) VALUES (?, ?, 'earn', ?, ?, ?)");
  w->ret = prepare (bench, "INSERT INTO sale_return (uuid, return_no, till_id, business_day,"
                           " created_us, sale_uuid, cashier_code, cashier_name, reason, subtotal,"
                           " refund_total, journal_seq) VALUES (?1, ?2, 'T01',"
                           " date (?3 / 1000000, 'unixepoch', 'localtime'), ?3, ?4, ?5, ?5,"
                           " 'faulty', ?6, ?6, ?7)");
  w->ret_line = prepare (bench, "INSERT INTO sale_return_line (return_uuid, line_no, sale_line_no,"
                                " product_id, sku, name, unit, quantity, unit_price, amount,"
                                " vat_rate, weighed, location, unit_cost) VALUES (?, 1, 1, ?,"
                                " 'sku', 'name', '个', ?, ?, ?, 1300, 0, 'stock', ?)");
  w->refund = prepare (bench, "INSERT INTO refund_payment (return_uuid, line_no, method, amount,"
                              " kind) VALUES (?, 1, 'cash', ?, 'cash')");
}

static void
writers_clear (Writers *w)
{
  sqlite3_stmt **all[] = { &w->journal, &w->sale, &w->line,     &w->move,  &w->payment,
                           &w->points,  &w->ret,  &w->ret_line, &w->refund };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    g_clear_pointer (all[i], sqlite3_finalize);
}

static gint64
append_journal (
    Bench *bench, Writers *w, const char *kind, const char *ref, gint64 when_us, const char *body)
{
  sqlite3_bind_text (w->journal, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->journal, 2, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->journal, 3, when_us);
  sqlite3_bind_blob (w->journal, 4, body, (int) strlen (body), SQLITE_STATIC);
  step (bench, w->journal);
  return sqlite3_last_insert_rowid (till_store_get_db (bench->store));
}

static void
generate_master_data (Bench *bench)
{
  g_autoptr (sqlite3_stmt) category =
      prepare (bench, "INSERT INTO category (id, name) VALUES (?, ?)");
  g_autoptr (sqlite3_stmt) product =
      prepare (bench, "INSERT INTO product (id, sku, name, unit, category_id, price, cost)"
                      " VALUES (?, ?, ?, '个', ?, ?, ?)");
  g_autoptr (sqlite3_stmt) user = prepare (
      bench, "INSERT INTO user (code, name, role, pin_salt, pin_hash) VALUES (?, ?, 'cashier',"
             " x'00', x'00')");
  g_autoptr (sqlite3_stmt) member = prepare (
      bench,
      "INSERT INTO member (id, phone_masked, registered_us, updated_us) VALUES (?, ?, ?, ?)");

  for (int i = 1; i <= N_CATEGORIES; i++)
    {
      g_autofree char *name = g_strdup_printf ("类别 %d", i);

      sqlite3_bind_int (category, 1, i);
      sqlite3_bind_text (category, 2, name, -1, SQLITE_TRANSIENT);
      step (bench, category);
    }
  for (int i = 1; i <= N_PRODUCTS; i++)
    {
      g_autofree char *sku = g_strdup_printf ("SKU%05d", i);
      g_autofree char *name = g_strdup_printf ("商品 %d", i);

      bench->prices[i] = g_rand_int_range (bench->rand, 100, 5000);
      bench->costs[i] = bench->prices[i] * g_rand_int_range (bench->rand, 50, 85) / 100;
      sqlite3_bind_int (product, 1, i);
      sqlite3_bind_text (product, 2, sku, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (product, 3, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (product, 4, 1 + i % N_CATEGORIES);
      sqlite3_bind_int64 (product, 5, bench->prices[i]);
      sqlite3_bind_int64 (product, 6, bench->costs[i]);
      step (bench, product);
    }
  for (int i = 1; i <= N_CASHIERS; i++)
    {
      g_autofree char *code = g_strdup_printf ("%d", 1000 + i);
      g_autofree char *name = g_strdup_printf ("收银员 %d", i);

      sqlite3_bind_text (user, 1, code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (user, 2, name, -1, SQLITE_TRANSIENT);
      step (bench, user);
    }
  for (int i = 0; i < N_MEMBERS; i++)
    {
      g_autofree char *id = g_strdup_printf ("m-%06d", i);
      gint64           when =
          bench->first_midnight_us +
          (gint64) g_rand_int_range (bench->rand, -N_DAYS, N_DAYS) * G_USEC_PER_SEC * 86400;

      sqlite3_bind_text (member, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (member, 2, "138****0000", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (member, 3, when);
      sqlite3_bind_int64 (member, 4, when);
      step (bench, member);
    }
}

/* A time of day @day: opening hours 8–22, busier at noon and evening. */
static gint64
sale_time (Bench *bench, int day)
{
  static const int hour_weights[] = { 2, 3, 4, 6, 8, 6, 4, 4, 5, 7, 9, 8, 5, 3 };
  int              total = 0, pick, hour = 0;

  for (guint i = 0; i < G_N_ELEMENTS (hour_weights); i++)
    total += hour_weights[i];
  pick = g_rand_int_range (bench->rand, 0, total);
  while (pick >= hour_weights[hour])
    pick -= hour_weights[hour++];
  return bench->first_midnight_us + (gint64) day * 86400 * G_USEC_PER_SEC +
         (gint64) (8 + hour) * 3600 * G_USEC_PER_SEC +
         g_rand_int_range (bench->rand, 0, 3600) * G_USEC_PER_SEC;
}

/* Popular products sell more: the square of a uniform pick. */
static int
pick_product (Bench *bench)
{
  double u = g_rand_double (bench->rand);

  return 1 + (int) (u * u * N_PRODUCTS) % N_PRODUCTS;
}

typedef struct
{
  char   uuid[16];
  int    product;
  gint64 quantity;
  gint64 amount;
} SoldLine;

static void
generate_sale (Bench *bench, Writers *w, int n, int day, SoldLine *first_line)
{
  static const char *const methods[] = { "cash",   "cash", "card",   "wechat",
                                         "alipay", "cash", "wechat", "card" };
  char                     uuid[16];
  gint64                   when = sale_time (bench, day);
  int                      n_lines = g_rand_int_range (bench->rand, 1, 7);
  int                      cashier = g_rand_int_range (bench->rand, 1, N_CASHIERS + 1);
  gboolean                 member = g_rand_int_range (bench->rand, 0, 10) < 3;
  g_autofree char         *member_id = NULL;
  g_autofree char         *code = g_strdup_printf ("%d", 1000 + cashier);
  const char *method = methods[g_rand_int_range (bench->rand, 0, G_N_ELEMENTS (methods))];
  int         products[6];
  gint64      quantities[6], amounts[6], discounts[6];
  gint64      total = 0, items = 0, seq;

  g_snprintf (uuid, sizeof uuid, "s%09d", n);
  for (int l = 0; l < n_lines; l++)
    {
      gint64 gross;

      products[l] = pick_product (bench);
      quantities[l] = (gint64) g_rand_int_range (bench->rand, 1, 4) * TILL_QUANTITY_ONE;
      gross = till_money_line_amount (bench->prices[products[l]], quantities[l]);
      discounts[l] = g_rand_int_range (bench->rand, 0, 20) == 0 ? gross / 10 : 0;
      amounts[l] = gross - discounts[l];
      total += amounts[l];
      items += quantities[l] / TILL_QUANTITY_ONE;
    }
  if (member)
    member_id = g_strdup_printf ("m-%06d", g_rand_int_range (bench->rand, 0, N_MEMBERS));
  seq = append_journal (bench, w, "sale", uuid, when, "{}");
  sqlite3_bind_text (w->sale, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (w->sale, 2, n);
  sqlite3_bind_int64 (w->sale, 3, when);
  sqlite3_bind_text (w->sale, 4, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->sale, 5, total);
  sqlite3_bind_int64 (w->sale, 6, items);
  sqlite3_bind_int64 (w->sale, 7, seq);
  sqlite3_bind_text (w->sale, 8, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->sale, 9, member ? "138****0000" : NULL, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->sale, 10, member ? total / 100 : 0);
  step (bench, w->sale);
  for (int l = 0; l < n_lines; l++)
    {
      sqlite3_bind_text (w->line, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (w->line, 2, l + 1);
      sqlite3_bind_int (w->line, 3, products[l]);
      sqlite3_bind_int64 (w->line, 4, quantities[l]);
      sqlite3_bind_int64 (w->line, 5, bench->prices[products[l]]);
      sqlite3_bind_int64 (w->line, 6, amounts[l]);
      sqlite3_bind_int64 (w->line, 7, discounts[l]);
      sqlite3_bind_int64 (w->line, 8, bench->costs[products[l]]);
      step (bench, w->line);
      sqlite3_bind_int (w->move, 1, products[l]);
      sqlite3_bind_int64 (w->move, 2, -quantities[l]);
      sqlite3_bind_text (w->move, 3, "sale", -1, SQLITE_STATIC);
      sqlite3_bind_text (w->move, 4, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (w->move, 5, when);
      step (bench, w->move);
    }
  first_line->product = products[0];
  first_line->quantity = quantities[0];
  first_line->amount = amounts[0];
  memcpy (first_line->uuid, uuid, sizeof uuid);
  sqlite3_bind_text (w->payment, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->payment, 2, method, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->payment, 3, total);
  sqlite3_bind_int64 (w->payment, 4, total);
  sqlite3_bind_text (w->payment, 5, method, -1, SQLITE_STATIC);
  step (bench, w->payment);
  if (member)
    {
      g_autofree char *op = g_strdup_printf ("p%09d", n);

      sqlite3_bind_text (w->points, 1, op, -1, SQLITE_STATIC);
      sqlite3_bind_text (w->points, 2, member_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (w->points, 3, total / 100);
      sqlite3_bind_text (w->points, 4, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (w->points, 5, when);
      step (bench, w->points);
    }
}

static void
generate_return (Bench *bench, Writers *w, int n, int day, const SoldLine *line)
{
  char   uuid[16];
  gint64 when = sale_time (bench, MIN (day + 1, N_DAYS - 1));
  gint64 amount = till_money_line_amount (bench->prices[line->product], TILL_QUANTITY_ONE);
  gint64 seq;

  amount = MIN (amount, line->amount);
  g_snprintf (uuid, sizeof uuid, "r%09d", n);
  seq = append_journal (bench, w, "return", uuid, when, "{}");
  sqlite3_bind_text (w->ret, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (w->ret, 2, n);
  sqlite3_bind_int64 (w->ret, 3, when);
  sqlite3_bind_text (w->ret, 4, line->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (w->ret, 5, "1001", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->ret, 6, amount);
  sqlite3_bind_int64 (w->ret, 7, seq);
  step (bench, w->ret);
  sqlite3_bind_text (w->ret_line, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (w->ret_line, 2, line->product);
  sqlite3_bind_int64 (w->ret_line, 3, TILL_QUANTITY_ONE);
  sqlite3_bind_int64 (w->ret_line, 4, bench->prices[line->product]);
  sqlite3_bind_int64 (w->ret_line, 5, amount);
  sqlite3_bind_int64 (w->ret_line, 6, bench->costs[line->product]);
  step (bench, w->ret_line);
  sqlite3_bind_text (w->refund, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->refund, 2, amount);
  step (bench, w->refund);
  sqlite3_bind_int (w->move, 1, line->product);
  sqlite3_bind_int64 (w->move, 2, TILL_QUANTITY_ONE);
  sqlite3_bind_text (w->move, 3, "return", -1, SQLITE_STATIC);
  sqlite3_bind_text (w->move, 4, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (w->move, 5, when);
  step (bench, w->move);
}

static void
generate_void (Bench *bench, Writers *w, int day)
{
  gboolean         line = g_rand_boolean (bench->rand);
  g_autofree char *body =
      line ? g_strdup_printf ("{\"user_code\":\"%d\",\"line\":{\"amount\":%d}}",
                              1001 + g_rand_int_range (bench->rand, 0, N_CASHIERS),
                              g_rand_int_range (bench->rand, 100, 5000))
           : g_strdup_printf ("{\"user_code\":\"%d\",\"total\":%d}",
                              1001 + g_rand_int_range (bench->rand, 0, N_CASHIERS),
                              g_rand_int_range (bench->rand, 500, 20000));

  append_journal (bench, w, line ? "void-line" : "void-sale", "v", sale_time (bench, day), body);
}

/* A closed business day and shift per day, with a few cash movements. */
static void
generate_cash (Bench *bench, Writers *w, int day)
{
  g_autoptr (sqlite3_stmt) business_day =
      prepare (bench, "INSERT INTO business_day (uuid, opened_us, z_no) VALUES (?, ?, ?)");
  g_autoptr (sqlite3_stmt) shift =
      prepare (bench, "INSERT INTO shift (uuid, day_uuid, user_code, user_name, state, opened_us,"
                      " opening_float) VALUES (?1, ?1, '1001', '1001', 'closed', ?2, 0)");
  g_autoptr (sqlite3_stmt) movement = prepare (
      bench,
      "INSERT INTO cash_movement (uuid, shift_uuid, day_uuid, kind, amount, reason,"
      " user_code, created_us, journal_seq) VALUES (?, ?2, ?2, ?, ?, 'float', '1001', ?, ?)");
  static const char *const kinds[] = { "in", "out", "drop" };
  g_autofree char         *uuid = g_strdup_printf ("d%05d", day);
  gint64                   opened = sale_time (bench, day);

  sqlite3_bind_text (business_day, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (business_day, 2, opened);
  sqlite3_bind_int (business_day, 3, day + 1);
  step (bench, business_day);
  sqlite3_bind_text (shift, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (shift, 2, opened);
  step (bench, shift);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *id = g_strdup_printf ("c%05d-%u", day, k);
      gint64           when = sale_time (bench, day);
      gint64           seq = append_journal (bench, w, "cash", id, when, "{}");

      sqlite3_bind_text (movement, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (movement, 2, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_text (movement, 3, kinds[k], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (movement, 4, g_rand_int_range (bench->rand, 1, 100) * 100);
      sqlite3_bind_int64 (movement, 5, when);
      sqlite3_bind_int64 (movement, 6, seq);
      step (bench, movement);
    }
}

static void
generate_receiving (Bench *bench, Writers *w, int day)
{
  for (int product = 1; product <= N_PRODUCTS; product++)
    {
      sqlite3_bind_int (w->move, 1, product);
      sqlite3_bind_int64 (w->move, 2, (gint64) g_rand_int_range (bench->rand, 50, 400) * 1000);
      sqlite3_bind_text (w->move, 3, "receiving", -1, SQLITE_STATIC);
      sqlite3_bind_null (w->move, 4);
      sqlite3_bind_int64 (w->move, 5, sale_time (bench, day));
      step (bench, w->move);
    }
}

static void
generate (Bench *bench)
{
  Writers  w = { 0 };
  SoldLine last = { { 0 } };
  int      n_returns = 0;
  int      last_day = -1;

  exec (bench, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN");
  generate_master_data (bench);
  writers_init (bench, &w);
  for (int n = 1; n <= N_SALES; n++)
    {
      /* Sales spread evenly over the days. */
      int day = (int) ((gint64) (n - 1) * N_DAYS / N_SALES);

      if (day != last_day)
        {
          last_day = day;
          generate_cash (bench, &w, day);
          if (day % 30 == 0)
            generate_receiving (bench, &w, day);
        }
      generate_sale (bench, &w, n, day, &last);
      if (g_rand_int_range (bench->rand, 0, 100) == 0)
        generate_return (bench, &w, ++n_returns, day, &last);
      if (g_rand_int_range (bench->rand, 0, 200) == 0)
        generate_void (bench, &w, day);
    }
  writers_clear (&w);
  exec (bench, "COMMIT; PRAGMA synchronous = FULL");
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
time_report (Bench *bench, TillReportKind kind, const char *from, const char *to)
{
  double           ms[N_RUNS];
  guint            rows = 0;
  gboolean         met;
  g_autofree char *name = g_strdelimit (g_strdup (till_report_kind_to_string (kind)), "-", '_');

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr (GError) error = NULL;
      TillReportQuery query = {
        .kind = kind, .from_day = from, .to_day = to, .period = TILL_REPORT_PERIOD_DAY, .limit = 50
      };
      gint64 start = bench_now_ns ();
      g_autoptr (TillReport) report = till_report_run (bench->store, &query, &error);

      ms[run] = (bench_now_ns () - start) / 1e6;
      if (report == NULL)
        die (name, error);
      rows = report->rows->len;
    }
  qsort (ms, N_RUNS, sizeof ms[0], compare_doubles);
  met = ms[N_RUNS - 1] <= TARGET_MS;
  g_print (
      "bench: report_%s_year %.1f ms (target <= %.0f ms, worst of %d; median %.1f ms; %u rows)%s\n",
      name, ms[N_RUNS - 1], TARGET_MS, N_RUNS, ms[N_RUNS / 2], rows, met ? "" : " MISSED");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) today = NULL;
  g_autoptr (GDateTime) first = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  Bench            bench = { 0 };
  gint64           start;
  gboolean         done = FALSE;

  if (argc > 1)
    dir = g_strdup (argv[1]);
  else if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    dir = g_mkdtemp (g_strdup ("/dev/shm/bench-report-XXXXXX"));
  else
    dir = g_dir_make_tmp ("bench-report-XXXXXX", &error);
  if (dir == NULL)
    die ("scratch directory", error);
  path = g_build_filename (dir, "till.db", NULL);
  bench.store = till_store_open (path, &error);
  if (bench.store == NULL)
    die ("opening the store", error);
  bench.rand = g_rand_new_with_seed (11);
  today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now), 0, 0, 0);
  first = g_date_time_add_days (today, -N_DAYS);
  bench.first_midnight_us = g_date_time_to_unix (first) * G_USEC_PER_SEC;
  from = g_date_time_format (first, "%Y-%m-%d");
  {
    g_autoptr (GDateTime) yesterday = g_date_time_add_days (today, -1);

    to = g_date_time_format (yesterday, "%Y-%m-%d");
  }

  start = bench_now_ns ();
  generate (&bench);
  g_print ("bench: report_generate_500k_sales %.1f s\n", (bench_now_ns () - start) / 1e9);

  start = bench_now_ns ();
  if (!till_report_refresh (bench.store, 0, &done, &error) || !done)
    die ("refresh", error);
  g_print ("bench: report_refresh_500k_sales %.1f s\n", (bench_now_ns () - start) / 1e9);

  for (guint kind = 0; kind < TILL_N_REPORT_KINDS; kind++)
    time_report (&bench, (TillReportKind) kind, from, to);

  g_clear_object (&bench.store);
  g_rand_free (bench.rand);
  if (argc <= 1)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_autofree char *lock = g_strconcat (path, ".lock", NULL);

      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_unlink (lock);
      g_rmdir (dir);
    }
  return 0;
}
