/* test-report.c: tests for src/core/till-report.c: the rollups against the
 * raw rows, for every report kind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A store makes a few hundred sales through the real sale path (cart,
 * payment, sale, return, voids, cash movements), some for members, with
 * several tenders. The sale path stamps the real time; each sale and return
 * is then moved to a chosen local day and hour of the last 60 days (their
 * created_us, the column the reports read), so the reports see several days,
 * weeks, months and hours. Every report is then checked, row by row and in
 * its totals, against sums computed here by SQL straight over sale,
 * sale_line, payment, sale_return, sale_return_line, refund_payment,
 * journal, stock_move, cash_movement and member_points.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

#define N_DAYS 60
#define N_SALES 320

static char        *scratch;
static char        *db_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashiers[3];
static TillUser    *manager;
static GRand       *rng;
static GPtrArray   *sales; /* TillSale */
static gint64       product_ids[8];
static char         first_day[11];
static char         last_day[11];

static const char *const member_ids[] = {
  "0190a0b0-0000-7000-8000-000000000001",
  "0190a0b0-0000-7000-8000-000000000002",
  "0190a0b0-0000-7000-8000-000000000003",
};

/* --- Helpers --------------------------------------------------------------- */

static void
exec_sql (const char *sql)
{
  char *message = NULL;

  ck_assert_msg (sqlite3_exec (till_store_get_db (store), sql, NULL, NULL, &message) == SQLITE_OK,
                 "%s: %s", sql, message ? message : "");
}

static sqlite3_stmt *
prepare (const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
  return stmt;
}

static gint64
query_int (const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (sql);

  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* Half away from zero, written again here rather than borrowed. */
static gint64
div_round (gint64 numerator, gint64 denominator)
{
  gint64 magnitude = numerator < 0 ? -numerator : numerator;
  gint64 quotient = (magnitude * 2 + denominator) / (2 * denominator);

  return numerator < 0 ? -quotient : quotient;
}

static gint64
bp (gint64 part, gint64 whole)
{
  return whole > 0 ? div_round (part * 10000, whole) : 0;
}

static void
day_string (GDate *date, char out[11])
{
  g_snprintf (out, 11, "%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
              g_date_get_day (date));
}

static gint64
local_us (const char *day, int hour, int minute)
{
  int year, month, mday;
  g_autoptr (GDateTime) when = NULL;

  ck_assert_int_eq (sscanf (day, "%d-%d-%d", &year, &month, &mday), 3);
  when = g_date_time_new_local (year, month, mday, hour, minute, 0);
  return g_date_time_to_unix (when) * G_USEC_PER_SEC + g_rand_int_range (rng, 0, 1000000);
}

/* A random day of the range and hour of opening time. */
static gint64
random_time (void)
{
  GDate date;
  char  day[11];

  g_date_clear (&date, 1);
  g_date_set_parse (&date, first_day);
  g_date_add_days (&date, g_rand_int_range (rng, 0, N_DAYS));
  day_string (&date, day);
  return local_us (day, g_rand_int_range (rng, 7, 23), g_rand_int_range (rng, 0, 60));
}

static void
move_row (const char *table, const char *uuid, gint64 when_us)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf (
      "UPDATE %s SET created_us = ?1,"
      " business_day = date (?1 / 1000000, 'unixepoch', 'localtime') WHERE uuid = ?2",
      table);

  stmt = prepare (sql);
  sqlite3_bind_int64 (stmt, 1, when_us);
  sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  ck_assert_int_eq (sqlite3_changes (till_store_get_db (store)), 1);
}

static gint64
add_product (guint i, gint64 category_id, gint64 price, gint64 cost, gboolean weighed)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sku = g_strdup_printf ("R%03u", i);
  g_autofree char *name = g_strdup_printf ("商品 %u", i);
  TillProductSpec  spec = {
     .sku = sku,
     .name = name,
     .unit = weighed ? "kg" : "个",
     .category_id = category_id,
     .price = price,
     .cost = cost,
     .vat_rate = 1300,
     .weighed = weighed,
     .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  return id;
}

static TillUser *
add_user (const char *code, const char *name, TillRole role, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user;

  ck_assert (till_user_create (store, code, name, role, pin, &error) > 0);
  user = till_user_authenticate (store, code, pin, &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
add_line (void)
{
  g_autoptr (GError) error = NULL;
  guint which = (guint) g_rand_int_range (rng, 0, G_N_ELEMENTS (product_ids));
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, product_ids[which], &error);
  gint64 quantity = till_product_get_weighed (product) ? g_rand_int_range (rng, 100, 2500)
                                                       : g_rand_int_range (rng, 1, 4) * 1000;

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, quantity, &error) != NULL, "%s",
                 error ? error->message : "");
}

static void
attach_member (const char *member_id)
{
  g_autoptr (GError) error = NULL;
  TillMember member = {
    .id = (char *) member_id,
    .phone_masked = (char *) "138****0000",
    .name_masked = (char *) "",
    .tier = (char *) "",
    .store_id = (char *) "",
  };

  ck_assert_msg (till_cart_attach_member (cart, &member, &error), "%s",
                 error ? error->message : "");
}

static TillSale *
pay (TillUser *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPayment) payment = till_payment_new (cart, &error);
  gint32    how = g_rand_int_range (rng, 0, 3);
  TillSale *sale;

  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  if (how == 0)
    sale = till_sale_commit_cash (
        cart, journal, user,
        till_payment_get_cash_due (payment) + g_rand_int_range (rng, 0, 3) * 1000, &error);
  else
    {
      gint64 exact = till_payment_get_exact (payment);
      g_autoptr (TillSalePayment) card = till_sale_payment_new (
          "card", TILL_TENDER_KIND_CARD, how == 1 || exact < 200 ? exact : exact / 2);

      card->reference = g_strdup ("000123");
      ck_assert_msg (till_payment_add (payment, card, &error), "%s", error ? error->message : "");
      if (till_payment_is_complete (payment))
        sale = till_sale_commit (cart, payment, journal, user, &error);
      else
        sale = till_sale_commit_cash (cart, journal, user, till_payment_get_cash_due (payment),
                                      &error);
    }
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  move_row ("sale", till_sale_get_uuid (sale), random_time ());
  g_ptr_array_add (sales, sale);
  return sale;
}

static void
random_sale (void)
{
  g_autoptr (GError) error = NULL;
  TillUser *user = cashiers[g_rand_int_range (rng, 0, G_N_ELEMENTS (cashiers))];
  guint     n = (guint) g_rand_int_range (rng, 1, 5);

  if (g_rand_int_range (rng, 0, 10) < 3)
    attach_member (member_ids[g_rand_int_range (rng, 0, G_N_ELEMENTS (member_ids))]);
  for (guint i = 0; i < n; i++)
    add_line ();
  if (g_rand_int_range (rng, 0, 6) == 0)
    ck_assert_msg (till_cart_set_line_discount (cart, journal, manager, 0,
                                                g_rand_int_range (rng, 1, 21) * 100, "damaged",
                                                NULL, &error),
                   "%s", error ? error->message : "");
  if (g_rand_int_range (rng, 0, 8) == 0)
    ck_assert_msg (
        till_cart_set_sale_discount (cart, journal, manager, 500, "regular", NULL, &error), "%s",
        error ? error->message : "");
  pay (user);
}

static void
random_return (void)
{
  g_autoptr (GError) error = NULL;
  TillSale *sale = g_ptr_array_index (sales, g_rand_int_range (rng, 0, (gint32) sales->len));
  g_autoptr (TillReturn) ret = till_return_new_with_receipt (store, sale, &error);
  g_autofree char *uuid = NULL;

  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    {
      gint64 returnable = till_return_get_returnable (ret, i);

      /* A weighed line goes back whole; others one piece at a time. */
      if (returnable > 0 && !till_return_set_quantity (ret, i, MIN (returnable, 1000), NULL))
        ck_assert_msg (till_return_set_quantity (ret, i, returnable, &error), "%s",
                       error ? error->message : "");
    }
  if (!till_return_commit (ret, journal, manager, NULL, &error))
    {
      /* Nothing left to return on this sale. */
      ck_assert_msg (error != NULL, "a return failed without saying why");
      return;
    }
  uuid = g_strdup (till_return_get_uuid (ret));
  move_row ("sale_return", uuid, random_time ());
}

static void
random_void (void)
{
  g_autoptr (GError) error = NULL;

  add_line ();
  add_line ();
  if (g_rand_boolean (rng))
    ck_assert_msg (till_cart_void_sale (cart, journal, manager, "customer left", NULL, &error),
                   "%s", error ? error->message : "");
  else
    {
      ck_assert_msg (till_cart_void_line (cart, journal, manager, 0, "wrong item", NULL, &error),
                     "%s", error ? error->message : "");
      if (till_cart_get_n_lines (cart) > 0)
        pay (cashiers[0]);
    }
}

static void
move_cash (TillCashMovementKind kind, gint64 amount)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid =
      till_shift_move_cash (store, journal, manager, kind, amount, "float", NULL, &error);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");
  stmt = prepare ("UPDATE cash_movement SET created_us = ? WHERE uuid = ?");
  sqlite3_bind_int64 (stmt, 1, random_time ());
  sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

/* Goods received and some damaged: stock moves of the last days, straight
 * into the table as a receiving would write them. */
static void
receive_stock (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (product_ids); i++)
    for (guint k = 0; k < 4; k++)
      {
        g_autoptr (sqlite3_stmt) stmt =
            prepare ("INSERT INTO stock_move (product_id, delta, reason, created_us, location)"
                     " VALUES (?, ?, 'receiving', ?, ?)");

        sqlite3_bind_int64 (stmt, 1, product_ids[i]);
        sqlite3_bind_int64 (stmt, 2, g_rand_int_range (rng, 10, 200) * 1000);
        sqlite3_bind_int64 (stmt, 3, random_time ());
        sqlite3_bind_text (stmt, 4, k == 3 ? "damaged" : "stock", -1, SQLITE_STATIC);
        ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
      }
}

static void
make_activity (guint n_sales)
{
  for (guint i = 0; i < n_sales; i++)
    {
      gint32 act = g_rand_int_range (rng, 0, 100);

      random_sale ();
      if (act < 12)
        random_return ();
      else if (act < 18)
        random_void ();
      else if (act < 22)
        move_cash ((TillCashMovementKind) g_rand_int_range (rng, 0, 3),
                   g_rand_int_range (rng, 1, 50) * 100);
    }
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  TillCashCount float_count = { { 0 } };
  GDate         date;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  rng = g_rand_new_with_seed (20261123);
  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  /* Hundreds of sales without an fsync each: the rows are the same. */
  exec_sql ("PRAGMA synchronous = OFF");
  catalog = till_catalog_new (store);
  {
    g_autofree char *key_path = g_build_filename (scratch, "journal.key", NULL);

    journal = till_journal_new (store, key_path, &error);
  }
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
  sales = g_ptr_array_new_with_free_func (g_object_unref);

  exec_sql ("INSERT INTO category (id, parent_id, name) VALUES (1, NULL, '饮料'),"
            " (2, 1, '矿泉水'), (3, NULL, '生鲜')");
  product_ids[0] = add_product (0, 1, 350, 200, FALSE);
  product_ids[1] = add_product (1, 2, 199, 120, FALSE);
  product_ids[2] = add_product (2, 2, 1280, 800, FALSE);
  product_ids[3] = add_product (3, 3, 598, 300, TRUE);
  product_ids[4] = add_product (4, 3, 1234, 1000, FALSE);
  product_ids[5] = add_product (5, 0, 999, 500, FALSE);
  product_ids[6] = add_product (6, 0, 2500, 1800, TRUE);
  product_ids[7] = add_product (7, 1, 100, 0, FALSE);
  /* A line recorded before migration 12 has no unit cost: the product's. */
  cashiers[0] = add_user ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  cashiers[1] = add_user ("1002", "李四", TILL_ROLE_CASHIER, "1234");
  cashiers[2] = add_user ("1003", "王五", TILL_ROLE_CASHIER, "1234");
  manager = add_user (TILL_DEMO_MANAGER_CODE, "李经理", TILL_ROLE_MANAGER, TILL_DEMO_MANAGER_PIN);
  shift = till_shift_open (store, journal, manager, &float_count, &error);
  ck_assert_msg (shift != NULL, "%s", error ? error->message : "");

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  day_string (&date, last_day);
  g_date_subtract_days (&date, N_DAYS - 1);
  day_string (&date, first_day);
  for (guint i = 0; i < G_N_ELEMENTS (member_ids); i++)
    {
      g_autoptr (sqlite3_stmt) stmt = prepare (
          "INSERT INTO member (id, phone_masked, registered_us, updated_us) VALUES (?, ?, ?, 1)");
      g_autofree char *masked = g_strdup_printf ("139****000%u", i);

      sqlite3_bind_text (stmt, 1, member_ids[i], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, masked, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, i == 0 ? 1 : random_time ());
      ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
    }
  receive_stock ();
}

static void
teardown (void)
{
  g_clear_pointer (&sales, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (cashiers); i++)
    g_clear_object (&cashiers[i]);
  g_clear_object (&manager);
  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&rng, g_rand_free);
}

static void
refresh_in_chunks (guint chunk)
{
  g_autoptr (GError) error = NULL;
  gboolean done = FALSE;
  gint64   pending = till_report_count_pending (store, &error);
  guint    rounds = 0;

  ck_assert_int_ge (pending, 0);
  while (!done)
    {
      gint64 left;

      ck_assert_msg (till_report_refresh (store, chunk, &done, &error), "%s",
                     error ? error->message : "");
      left = till_report_count_pending (store, &error);
      ck_assert_int_eq (left, MAX (pending - (gint64) chunk, 0));
      ck_assert (done == (left == 0));
      pending = left;
      ck_assert_uint_lt (++rounds, 10000);
    }
}

/* Every rollup as text, to compare two ways of folding. */
static char *
dump_rollups (void)
{
  static const char *const tables[] = {
    "report_sale_hour", "report_product_day", "report_product_month", "report_tender_day",
    "report_void_day",  "report_stock_day",   "report_stock_month",   "report_member_day",
  };
  GString *out = g_string_new (NULL);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1, 2, 3", tables[t]);
      g_autoptr (sqlite3_stmt) stmt = prepare (sql);

      g_string_append_printf (out, "%s\n", tables[t]);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, c));
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free (out, FALSE);
}

static TillReport *
run (TillReportKind kind, const char *from, const char *to, TillReportPeriod period, guint limit)
{
  g_autoptr (GError) error = NULL;
  TillReportQuery query = {
    .kind = kind, .from_day = from, .to_day = to, .period = period, .limit = limit
  };
  TillReport *report = till_report_run (store, &query, &error);

  ck_assert_msg (report != NULL, "%s: %s", till_report_kind_to_string (kind),
                 error ? error->message : "");
  ck_assert_int_eq (report->kind, kind);
  ck_assert_str_eq (report->from_day, from);
  ck_assert_str_eq (report->to_day, to);
  ck_assert_ptr_nonnull (strstr (report->title, from));
  return report;
}

static gint64
value (const TillReport *report, const TillReportRow *row, const char *column)
{
  int index = till_report_find_column (report, column);

  ck_assert_msg (index >= 0, "no column %s", column);
  return row->values[index];
}

static gint64
headline (const TillReport *report, const char *id)
{
  for (guint i = 0; i < report->headlines->len; i++)
    {
      const TillReportHeadline *headline = g_ptr_array_index (report->headlines, i);

      if (strcmp (headline->id, id) == 0)
        return headline->value;
    }
  ck_abort_msg ("no headline %s", id);
  return 0;
}

#define ASSERT_VALUE(report, row, column, want)                                             \
  ck_assert_msg (value (report, row, column) == (want), "%s %s %s: %" PRId64 " ≠ %" PRId64, \
                 till_report_kind_to_string ((report)->kind), (row)->key, column,           \
                 value (report, row, column), (gint64) (want))

/* --- The raw rows, as the reports should see them --------------------------- */

/* Sales and returns with their local day and hour, their sums and cost. */
static void
create_raw_views (void)
{
  exec_sql (
      "CREATE TEMP VIEW IF NOT EXISTS raw_sale AS SELECT s.uuid,"
      " date (s.created_us / 1000000, 'unixepoch', 'localtime') AS day,"
      " CAST (strftime ('%H', s.created_us / 1000000, 'unixepoch', 'localtime') AS INTEGER)"
      " AS hour, s.cashier_code, s.member_id, s.item_count AS items, s.points_earned AS points,"
      " SUM (l.amount + l.line_discount + l.sale_discount + l.promotion_discount) AS gross,"
      " SUM (l.line_discount + l.sale_discount) AS discount,"
      " SUM (l.promotion_discount) AS promotion, SUM (l.amount) AS net,"
      " SUM ((COALESCE (l.unit_cost, p.cost) * l.quantity + 500) / 1000) AS cost"
      " FROM sale s JOIN sale_line l ON l.sale_uuid = s.uuid JOIN product p ON p.id = l.product_id"
      " GROUP BY s.uuid;"
      "CREATE TEMP VIEW IF NOT EXISTS raw_return AS SELECT r.uuid,"
      " date (r.created_us / 1000000, 'unixepoch', 'localtime') AS day,"
      " CAST (strftime ('%H', r.created_us / 1000000, 'unixepoch', 'localtime') AS INTEGER)"
      " AS hour, r.cashier_code, s.member_id, SUM (l.amount) AS refunded,"
      " SUM ((COALESCE (l.unit_cost, p.cost) * l.quantity + 500) / 1000) AS cost"
      " FROM sale_return r JOIN sale_return_line l ON l.return_uuid = r.uuid"
      " JOIN product p ON p.id = l.product_id LEFT JOIN sale s ON s.uuid = r.sale_uuid"
      " GROUP BY r.uuid;"
      "CREATE TEMP VIEW IF NOT EXISTS raw_line AS SELECT"
      " date (s.created_us / 1000000, 'unixepoch', 'localtime') AS day, l.product_id,"
      " l.quantity, l.amount + l.line_discount + l.sale_discount + l.promotion_discount AS gross,"
      " l.amount AS net, (COALESCE (l.unit_cost, p.cost) * l.quantity + 500) / 1000 AS cost,"
      " 0 AS returned, 0 AS refunded, 0 AS returned_cost"
      " FROM sale s JOIN sale_line l ON l.sale_uuid = s.uuid JOIN product p ON p.id = l.product_id"
      " UNION ALL SELECT date (r.created_us / 1000000, 'unixepoch', 'localtime'), l.product_id,"
      " 0, 0, 0, 0, l.quantity, l.amount,"
      " (COALESCE (l.unit_cost, p.cost) * l.quantity + 500) / 1000"
      " FROM sale_return r JOIN sale_return_line l ON l.return_uuid = r.uuid"
      " JOIN product p ON p.id = l.product_id;");
}

typedef struct
{
  gint64 sales, items, gross, discount, promotion, net, cost, returns, refunded, returned_cost;
} Raw;

/* Raw sums per key: @sale_key and @return_key are SQL over raw_sale and
 * raw_return. */
static GHashTable *
raw_sales_by (const char *sale_key, const char *return_key, const char *from, const char *to)
{
  GHashTable      *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *sale_sql = g_strdup_printf (
      "SELECT %s, COUNT (*), SUM (items), SUM (gross), SUM (discount), SUM (promotion),"
      " SUM (net), SUM (cost) FROM raw_sale WHERE day BETWEEN ?1 AND ?2 GROUP BY 1",
      sale_key);
  g_autofree char *return_sql =
      g_strdup_printf ("SELECT %s, COUNT (*), SUM (refunded), SUM (cost) FROM raw_return"
                       " WHERE day BETWEEN ?1 AND ?2 GROUP BY 1",
                       return_key);
  g_autoptr (sqlite3_stmt) stmt = prepare (sale_sql);
  g_autoptr (sqlite3_stmt) returns = prepare (return_sql);

  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Raw *raw = g_new0 (Raw, 1);

      raw->sales = sqlite3_column_int64 (stmt, 1);
      raw->items = sqlite3_column_int64 (stmt, 2);
      raw->gross = sqlite3_column_int64 (stmt, 3);
      raw->discount = sqlite3_column_int64 (stmt, 4);
      raw->promotion = sqlite3_column_int64 (stmt, 5);
      raw->net = sqlite3_column_int64 (stmt, 6);
      raw->cost = sqlite3_column_int64 (stmt, 7);
      g_hash_table_insert (table, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), raw);
    }
  sqlite3_bind_text (returns, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (returns, 2, to, -1, SQLITE_STATIC);
  while (sqlite3_step (returns) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (returns, 0);
      Raw        *raw = g_hash_table_lookup (table, key);

      if (raw == NULL)
        g_hash_table_insert (table, g_strdup (key), raw = g_new0 (Raw, 1));
      raw->returns = sqlite3_column_int64 (returns, 1);
      raw->refunded = sqlite3_column_int64 (returns, 2);
      raw->returned_cost = sqlite3_column_int64 (returns, 3);
    }
  return table;
}

static void
raw_total (GHashTable *table, Raw *total)
{
  GHashTableIter iter;
  Raw           *raw;

  memset (total, 0, sizeof *total);
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &raw))
    {
      total->sales += raw->sales;
      total->items += raw->items;
      total->gross += raw->gross;
      total->discount += raw->discount;
      total->promotion += raw->promotion;
      total->net += raw->net;
      total->cost += raw->cost;
      total->returns += raw->returns;
      total->refunded += raw->refunded;
      total->returned_cost += raw->returned_cost;
    }
}

static void
assert_sales_row (const TillReport *report, const TillReportRow *row, const Raw *raw)
{
  static const Raw none = { 0 };
  gint64           cost, profit;

  if (raw == NULL)
    raw = &none;
  cost = raw->cost - raw->returned_cost;
  profit = raw->net - raw->refunded - cost;
  ASSERT_VALUE (report, row, "sales", raw->sales);
  ASSERT_VALUE (report, row, "items", raw->items);
  ASSERT_VALUE (report, row, "gross", raw->gross);
  ASSERT_VALUE (report, row, "discount", raw->discount);
  ASSERT_VALUE (report, row, "promotion", raw->promotion);
  ASSERT_VALUE (report, row, "net", raw->net);
  ASSERT_VALUE (report, row, "returns", raw->returns);
  ASSERT_VALUE (report, row, "refunded", raw->refunded);
  ASSERT_VALUE (report, row, "cost", cost);
  ASSERT_VALUE (report, row, "profit", profit);
  ASSERT_VALUE (report, row, "margin", bp (profit, raw->net - raw->refunded));
  ASSERT_VALUE (report, row, "basket", raw->sales > 0 ? div_round (raw->net, raw->sales) : 0);
  ASSERT_VALUE (report, row, "items_per_basket",
                raw->sales > 0 ? div_round (raw->items * 1000, raw->sales) : 0);
}

/* Every row of @report is the raw sums of its key, every key with sums has
 * a row, and the totals are the sums of all. */
static void
assert_sales_report (const TillReport *report, GHashTable *raw, gboolean every_key_has_sums)
{
  Raw total;

  ck_assert_uint_gt (report->rows->len, 0);
  for (guint i = 0; i < report->rows->len; i++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, i);
      const Raw           *sums = g_hash_table_lookup (raw, row->key);

      ck_assert_msg (sums != NULL || !every_key_has_sums, "row %s has no raw sales", row->key);
      assert_sales_row (report, row, sums);
    }
  {
    GHashTableIter iter;
    const char    *key;

    g_hash_table_iter_init (&iter, raw);
    while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
      ck_assert_msg (till_report_find_row (report, key) != NULL, "%s: no row for %s",
                     till_report_kind_to_string (report->kind), key);
  }
  raw_total (raw, &total);
  ck_assert_ptr_nonnull (report->totals);
  assert_sales_row (report, report->totals, &total);
  ck_assert_int_eq (headline (report, "net"), total.net);
  ck_assert_int_eq (headline (report, "sales"), total.sales);
  ck_assert_int_eq (headline (report, "basket"), div_round (total.net, total.sales));
  ck_assert_int_gt (total.sales, 0);
}

/* --- Tests ------------------------------------------------------------------------ */

/* /core/report/folding: chunks of 7, with sales made between refreshes,
 * give the same rollups as a rebuild. */
START_TEST (test_folding)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *chunked = NULL;
  g_autofree char *rebuilt = NULL;

  make_activity (N_SALES / 2);
  ck_assert_int_gt (till_report_count_pending (store, &error), N_SALES / 2);
  refresh_in_chunks (7);
  make_activity (N_SALES / 2);
  refresh_in_chunks (7);
  chunked = dump_rollups ();
  ck_assert_int_gt (query_int ("SELECT COUNT (*) FROM report_void_day"), 0);
  ck_assert_int_gt (query_int ("SELECT COUNT (*) FROM report_member_day"), 0);
  ck_assert_int_gt (query_int ("SELECT SUM (returns) FROM report_sale_hour"), 0);
  ck_assert_msg (till_report_rebuild (store, &error), "%s", error ? error->message : "");
  rebuilt = dump_rollups ();
  ck_assert_str_eq (chunked, rebuilt);
  ck_assert_int_eq (till_report_count_pending (store, &error), 0);

  /* One refresh without a limit after more activity, against a rebuild. */
  make_activity (20);
  {
    gboolean         done = FALSE;
    g_autofree char *once = NULL;
    g_autofree char *again = NULL;

    ck_assert (till_report_refresh (store, 0, &done, &error));
    ck_assert (done);
    once = dump_rollups ();
    ck_assert (till_report_rebuild (store, &error));
    again = dump_rollups ();
    ck_assert_str_eq (once, again);
  }
}
END_TEST

static void
build_and_refresh (void)
{
  g_autoptr (GError) error = NULL;
  gboolean done = FALSE;

  make_activity (N_SALES);
  ck_assert_msg (till_report_refresh (store, 0, &done, &error), "%s", error ? error->message : "");
  ck_assert (done);
  create_raw_views ();
}

/* /core/report/sales: by period (day, week, month), by hour, by cashier,
 * members against others, and the heat map. */
START_TEST (test_sales_reports)
{
  static const struct
  {
    TillReportPeriod period;
    const char      *key;
  } periods[] = {
    { TILL_REPORT_PERIOD_DAY, "day" },
    { TILL_REPORT_PERIOD_WEEK,
      "date (day, '-' || ((CAST (strftime ('%w', day) AS INTEGER) + 6) % 7) || ' days')" },
    { TILL_REPORT_PERIOD_MONTH, "substr (day, 1, 7)" },
  };

  build_and_refresh ();
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      g_autoptr (TillReport) report =
          run (TILL_REPORT_SALES_BY_PERIOD, first_day, last_day, periods[i].period, 0);
      g_autoptr (GHashTable) raw =
          raw_sales_by (periods[i].key, periods[i].key, first_day, last_day);

      assert_sales_report (report, raw, FALSE);
      ck_assert_int_eq (report->chart, TILL_REPORT_CHART_LINE);
      ck_assert_int_eq (report->chart_column, till_report_find_column (report, "net"));
      if (periods[i].period == TILL_REPORT_PERIOD_DAY)
        ck_assert_uint_eq (report->rows->len, N_DAYS);
    }
  {
    g_autoptr (TillReport) report =
        run (TILL_REPORT_SALES_BY_HOUR, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
    g_autoptr (GHashTable) raw =
        raw_sales_by ("printf ('%02d', hour)", "printf ('%02d', hour)", first_day, last_day);

    ck_assert_uint_eq (report->rows->len, 24);
    assert_sales_report (report, raw, FALSE);
    ck_assert_int_eq (report->chart, TILL_REPORT_CHART_BARS);
  }
  {
    g_autoptr (TillReport) report =
        run (TILL_REPORT_BY_CASHIER, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
    g_autoptr (GHashTable) raw = raw_sales_by ("cashier_code", "cashier_code", first_day, last_day);

    assert_sales_report (report, raw, TRUE);
    ck_assert_str_eq (till_report_find_row (report, "1002")->label, "李四 (1002)");
  }
  {
    const char *key = "CASE WHEN member_id IS NULL THEN 'other' ELSE 'member' END";
    g_autoptr (TillReport) report =
        run (TILL_REPORT_MEMBERS_VS_OTHERS, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
    g_autoptr (GHashTable) raw = raw_sales_by (key, key, first_day, last_day);

    ck_assert_uint_eq (report->rows->len, 2);
    assert_sales_report (report, raw, TRUE);
  }
  /* A part of the range: a week in the middle. */
  {
    GDate date;
    char  from[11], to[11];
    g_autoptr (TillReport) report = NULL;
    g_autoptr (GHashTable) raw = NULL;

    g_date_clear (&date, 1);
    g_date_set_parse (&date, first_day);
    g_date_add_days (&date, 20);
    day_string (&date, from);
    g_date_add_days (&date, 6);
    day_string (&date, to);
    report = run (TILL_REPORT_SALES_BY_PERIOD, from, to, TILL_REPORT_PERIOD_DAY, 0);
    raw = raw_sales_by ("day", "day", from, to);
    ck_assert_uint_eq (report->rows->len, 7);
    assert_sales_report (report, raw, FALSE);
  }
  /* The heat map: weekday × hour of net sales. */
  {
    static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    g_autoptr (TillReport) report =
        run (TILL_REPORT_HOUR_HEATMAP, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
    g_autoptr (sqlite3_stmt) stmt = prepare (
        "SELECT (CAST (strftime ('%w', day) AS INTEGER) + 6) % 7, hour, SUM (net) FROM raw_sale"
        " WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2");
    gint64 cells[7][24] = { { 0 } };

    ck_assert_ptr_null (report->totals);
    ck_assert_int_eq (report->chart, TILL_REPORT_CHART_HEATMAP);
    ck_assert_uint_eq (report->rows->len, 7);
    ck_assert_uint_eq (report->columns->len, 24);
    ck_assert_int_eq (till_report_find_column (report, "h00"), 0);
    ck_assert_int_eq (till_report_find_column (report, "h23"), 23);
    sqlite3_bind_text (stmt, 1, first_day, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, last_day, -1, SQLITE_STATIC);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      cells[sqlite3_column_int (stmt, 0)][sqlite3_column_int (stmt, 1)] =
          sqlite3_column_int64 (stmt, 2);
    for (guint d = 0; d < 7; d++)
      {
        const TillReportRow *row = g_ptr_array_index (report->rows, d);

        ck_assert_str_eq (row->key, days[d]);
        for (guint h = 0; h < 24; h++)
          ck_assert_int_eq (row->values[h], cells[d][h]);
      }
  }
}
END_TEST

typedef struct
{
  gint64 quantity, returned, gross, net, refunded, cost, returned_cost;
} RawProduct;

static GHashTable *
raw_products_by (const char *key, const char *where, const char *from, const char *to)
{
  GHashTable      *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *sql = g_strdup_printf (
      "SELECT %s, SUM (quantity), SUM (returned), SUM (gross), SUM (net), SUM (refunded),"
      " SUM (x.cost), SUM (returned_cost) FROM raw_line x JOIN product p ON p.id = x.product_id"
      " WHERE day BETWEEN ?1 AND ?2 AND %s GROUP BY 1",
      key, where);
  g_autoptr (sqlite3_stmt) stmt = prepare (sql);

  sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      RawProduct *raw = g_new0 (RawProduct, 1);

      raw->quantity = sqlite3_column_int64 (stmt, 1);
      raw->returned = sqlite3_column_int64 (stmt, 2);
      raw->gross = sqlite3_column_int64 (stmt, 3);
      raw->net = sqlite3_column_int64 (stmt, 4);
      raw->refunded = sqlite3_column_int64 (stmt, 5);
      raw->cost = sqlite3_column_int64 (stmt, 6);
      raw->returned_cost = sqlite3_column_int64 (stmt, 7);
      g_hash_table_insert (table, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), raw);
    }
  return table;
}

static void
assert_product_row (const TillReport    *report,
                    const TillReportRow *row,
                    const RawProduct    *raw,
                    gint64               total_net)
{
  gint64 cost = raw->cost - raw->returned_cost;
  gint64 profit = raw->net - raw->refunded - cost;

  ASSERT_VALUE (report, row, "quantity", raw->quantity);
  ASSERT_VALUE (report, row, "returned", raw->returned);
  ASSERT_VALUE (report, row, "gross", raw->gross);
  ASSERT_VALUE (report, row, "net", raw->net);
  ASSERT_VALUE (report, row, "refunded", raw->refunded);
  ASSERT_VALUE (report, row, "cost", cost);
  ASSERT_VALUE (report, row, "profit", profit);
  ASSERT_VALUE (report, row, "margin", bp (profit, raw->net - raw->refunded));
  ASSERT_VALUE (report, row, "share", bp (raw->net, total_net));
}

static void
assert_product_report (const TillReport *report, GHashTable *raw, guint expect_rows)
{
  RawProduct     total = { 0 };
  GHashTableIter iter;
  RawProduct    *sums;

  g_hash_table_iter_init (&iter, raw);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &sums))
    {
      total.quantity += sums->quantity;
      total.returned += sums->returned;
      total.gross += sums->gross;
      total.net += sums->net;
      total.refunded += sums->refunded;
      total.cost += sums->cost;
      total.returned_cost += sums->returned_cost;
    }
  ck_assert_uint_eq (report->rows->len, expect_rows);
  for (guint i = 0; i < report->rows->len; i++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, i);
      const RawProduct    *want = g_hash_table_lookup (raw, row->key);

      ck_assert_msg (want != NULL, "row %s has no raw lines", row->key);
      assert_product_row (report, row, want, total.net);
      if (i > 0)
        ck_assert_int_ge (value (report, g_ptr_array_index (report->rows, i - 1), "net"),
                          value (report, row, "net"));
    }
  ck_assert_ptr_nonnull (report->totals);
  assert_product_row (report, report->totals, &total, total.net);
}

/* Ranges that cut months at both ends, or lie within one month. */
static void
check_products_over (const char *from, const char *to)
{
  {
    g_autoptr (TillReport) report =
        run (TILL_REPORT_BY_PRODUCT, from, to, TILL_REPORT_PERIOD_DAY, 1000);
    g_autoptr (GHashTable) raw = raw_products_by ("p.sku", "1", from, to);

    assert_product_report (report, raw, g_hash_table_size (raw));
  }
  {
    g_autoptr (TillReport) report =
        run (TILL_REPORT_BY_CATEGORY, from, to, TILL_REPORT_PERIOD_DAY, 0);
    g_autoptr (GHashTable) raw = raw_products_by ("IFNULL (p.category_id, 'none')", "1", from, to);

    assert_product_report (report, raw, g_hash_table_size (raw));
  }
}

/* /core/report/products: by product and category, the month rollups with
 * days at both ends, the limit and the category filter. */
START_TEST (test_product_reports)
{
  GDate date;
  char  mid_from[11], mid_to[11];

  build_and_refresh ();
  check_products_over (first_day, last_day);
  g_date_clear (&date, 1);
  g_date_set_parse (&date, first_day);
  g_date_add_days (&date, 3);
  day_string (&date, mid_from);
  g_date_add_days (&date, 45);
  day_string (&date, mid_to);
  check_products_over (mid_from, mid_to);
  g_date_subtract_days (&date, 10);
  day_string (&date, mid_from);
  g_date_add_days (&date, 2);
  day_string (&date, mid_to);
  check_products_over (mid_from, mid_to);
  check_products_over (last_day, last_day);

  /* At most 3 rows, the best by net; the totals are still of all. */
  {
    g_autoptr (TillReport) report =
        run (TILL_REPORT_BY_PRODUCT, first_day, last_day, TILL_REPORT_PERIOD_DAY, 3);
    g_autoptr (GHashTable) raw = raw_products_by ("p.sku", "1", first_day, last_day);

    assert_product_report (report, raw, 3);
    ck_assert_int_eq (headline (report, "net"), value (report, report->totals, "net"));
  }
  /* Category 1 with its child 2. */
  {
    TillReportQuery query = { .kind = TILL_REPORT_BY_PRODUCT,
                              .from_day = first_day,
                              .to_day = last_day,
                              .category_id = 1,
                              .limit = 100 };
    g_autoptr (GError) error = NULL;
    g_autoptr (TillReport) report = till_report_run (store, &query, &error);
    g_autoptr (GHashTable) raw =
        raw_products_by ("p.sku", "p.category_id IN (1, 2)", first_day, last_day);

    ck_assert_msg (report != NULL, "%s", error ? error->message : "");
    ck_assert_uint_eq (g_hash_table_size (raw), 4);
    assert_product_report (report, raw, 4);
  }
}
END_TEST

/* /core/report/tenders-finance: by tender, and the finance report. */
START_TEST (test_tender_and_finance)
{
  g_autoptr (TillReport) tenders = NULL;
  g_autoptr (TillReport) finance = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 income = 0, refunded = 0;

  build_and_refresh ();
  tenders = run (TILL_REPORT_BY_TENDER, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
  finance = run (TILL_REPORT_FINANCE, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
  stmt = prepare ("SELECT method, SUM (c), SUM (a), SUM (rc), SUM (ra) FROM ("
                  " SELECT p.method, 1 AS c, p.amount AS a, 0 AS rc, 0 AS ra FROM payment p"
                  "  JOIN raw_sale s ON s.uuid = p.sale_uuid WHERE s.day BETWEEN ?1 AND ?2"
                  " UNION ALL SELECT p.method, 0, 0, 1, p.amount FROM refund_payment p"
                  "  JOIN raw_return r ON r.uuid = p.return_uuid WHERE r.day BETWEEN ?1 AND ?2)"
                  " GROUP BY method");
  sqlite3_bind_text (stmt, 1, first_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last_day, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char          *method = (const char *) sqlite3_column_text (stmt, 0);
      const TillReportRow *row = till_report_find_row (tenders, method);
      g_autofree char     *income_key = g_strconcat ("income:", method, NULL);
      g_autofree char     *refund_key = g_strconcat ("refund:", method, NULL);

      ck_assert_msg (row != NULL, "no tender %s", method);
      ASSERT_VALUE (tenders, row, "count", sqlite3_column_int64 (stmt, 1));
      ASSERT_VALUE (tenders, row, "amount", sqlite3_column_int64 (stmt, 2));
      ASSERT_VALUE (tenders, row, "refunds", sqlite3_column_int64 (stmt, 3));
      ASSERT_VALUE (tenders, row, "refunded", sqlite3_column_int64 (stmt, 4));
      ASSERT_VALUE (tenders, row, "net",
                    sqlite3_column_int64 (stmt, 2) - sqlite3_column_int64 (stmt, 4));
      row = till_report_find_row (finance, income_key);
      ck_assert_ptr_nonnull (row);
      ASSERT_VALUE (finance, row, "amount", sqlite3_column_int64 (stmt, 2));
      row = till_report_find_row (finance, refund_key);
      ck_assert_ptr_nonnull (row);
      ASSERT_VALUE (finance, row, "amount", sqlite3_column_int64 (stmt, 4));
      income += sqlite3_column_int64 (stmt, 2);
      refunded += sqlite3_column_int64 (stmt, 4);
    }
  ck_assert_uint_ge (tenders->rows->len, 2);
  ASSERT_VALUE (tenders, tenders->totals, "amount", income);
  ASSERT_VALUE (tenders, tenders->totals, "refunded", refunded);
  ck_assert_int_eq (income, query_int ("SELECT SUM (total) FROM sale"));
  ck_assert_int_eq (headline (finance, "income"), income);
  ck_assert_int_eq (headline (finance, "refunds"), refunded);
  ck_assert_int_eq (headline (finance, "net_income"), income - refunded);

  /* Cash movements by kind, in the range by their own time. */
  {
    static const char *const kinds[] = { "in", "out", "drop" };

    for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
      {
        g_autofree char *key = g_strconcat ("cash-", kinds[i], NULL);
        g_autofree char *count_sql =
            g_strdup_printf ("SELECT COUNT (*) FROM cash_movement WHERE kind = '%s'", kinds[i]);
        g_autofree char *sum_sql = g_strdup_printf (
            "SELECT IFNULL (SUM (amount), 0) FROM cash_movement WHERE kind = '%s'", kinds[i]);
        const TillReportRow *row = till_report_find_row (finance, key);

        ck_assert_ptr_nonnull (row);
        ASSERT_VALUE (finance, row, "count", query_int (count_sql));
        ASSERT_VALUE (finance, row, "amount", query_int (sum_sql));
      }
    ck_assert_int_gt (query_int ("SELECT COUNT (*) FROM cash_movement"), 0);
  }
  /* Sales figures of the finance report. */
  {
    gint64 net = query_int ("SELECT SUM (net) FROM raw_sale");
    gint64 returned = query_int ("SELECT SUM (refunded) FROM raw_return");
    gint64 cogs = query_int ("SELECT SUM (cost) FROM raw_sale") -
                  query_int ("SELECT SUM (cost) FROM raw_return");

    ASSERT_VALUE (finance, till_report_find_row (finance, "gross"), "amount",
                  query_int ("SELECT SUM (gross) FROM raw_sale"));
    ASSERT_VALUE (finance, till_report_find_row (finance, "discount"), "amount",
                  query_int ("SELECT SUM (discount) FROM raw_sale"));
    ASSERT_VALUE (finance, till_report_find_row (finance, "net"), "amount", net);
    ASSERT_VALUE (finance, till_report_find_row (finance, "refunded"), "amount", returned);
    ASSERT_VALUE (finance, till_report_find_row (finance, "cogs"), "amount", cogs);
    ASSERT_VALUE (finance, till_report_find_row (finance, "gross-profit"), "amount",
                  net - returned - cogs);
    ck_assert_int_eq (headline (finance, "gross_profit"), net - returned - cogs);
  }
}
END_TEST

/* /core/report/returns-voids: per day, against the returns and the
 * journal's voids. */
START_TEST (test_returns_voids)
{
  g_autoptr (TillReport) report = NULL;
  g_autoptr (GHashTable) raw = NULL;
  g_autoptr (sqlite3_stmt) voids = NULL;
  gint64 void_lines = 0, void_sales = 0;
  char   today[11];
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  build_and_refresh ();
  report = run (TILL_REPORT_RETURNS_VOIDS, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
  raw = raw_sales_by ("day", "day", first_day, last_day);
  ck_assert_uint_eq (report->rows->len, N_DAYS);
  for (guint i = 0; i < report->rows->len; i++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, i);
      const Raw           *sums = g_hash_table_lookup (raw, row->key);

      ASSERT_VALUE (report, row, "returns", sums != NULL ? sums->returns : 0);
      ASSERT_VALUE (report, row, "refunded", sums != NULL ? sums->refunded : 0);
    }
  voids = prepare ("SELECT date (created_us / 1000000, 'unixepoch', 'localtime'), kind, COUNT (*),"
                   " SUM (CASE kind WHEN 'void-line' THEN"
                   " json_extract (CAST (body AS TEXT), '$.line.amount')"
                   " ELSE json_extract (CAST (body AS TEXT), '$.total') END)"
                   " FROM journal WHERE kind IN ('void-line', 'void-sale') GROUP BY 1, 2");
  while (sqlite3_step (voids) == SQLITE_ROW)
    {
      const TillReportRow *row =
          till_report_find_row (report, (const char *) sqlite3_column_text (voids, 0));
      gboolean sale = strcmp ((const char *) sqlite3_column_text (voids, 1), "void-sale") == 0;

      ck_assert_ptr_nonnull (row);
      ASSERT_VALUE (report, row, sale ? "void_sales" : "void_lines",
                    sqlite3_column_int64 (voids, 2));
      ASSERT_VALUE (report, row, sale ? "void_sale_amount" : "void_line_amount",
                    sqlite3_column_int64 (voids, 3));
      *(sale ? &void_sales : &void_lines) += sqlite3_column_int64 (voids, 2);
    }
  ck_assert_int_gt (void_lines, 0);
  ck_assert_int_gt (void_sales, 0);
  ASSERT_VALUE (report, report->totals, "void_lines", void_lines);
  ASSERT_VALUE (report, report->totals, "void_sales", void_sales);
  ASSERT_VALUE (report, report->totals, "returns", query_int ("SELECT COUNT (*) FROM raw_return"));
  /* The voids happened today (the journal keeps the real time). */
  g_snprintf (today, sizeof today, "%04d-%02d-%02d", g_date_time_get_year (now),
              g_date_time_get_month (now), g_date_time_get_day_of_month (now));
  ck_assert_int_eq (value (report, till_report_find_row (report, today), "void_sales"), void_sales);
}
END_TEST

/* The level of @product at the end of @day, from the raw movements. */
static gint64
raw_level_at (gint64 product_id, const char *day)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (
      "SELECT IFNULL (SUM (delta), 0) FROM stock_move WHERE product_id = ? AND location = 'stock'"
      " AND date (created_us / 1000000, 'unixepoch', 'localtime') <= ?");

  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static void
check_inventory_over (const char *from, const char *to)
{
  g_autoptr (TillReport) report = run (TILL_REPORT_INVENTORY, from, to, TILL_REPORT_PERIOD_DAY, 0);
  g_autoptr (GHashTable) raw = raw_products_by ("p.sku", "1", from, to);
  gint64 total_value = 0, total_cogs = 0, total_avg = 0;

  ck_assert_uint_eq (report->rows->len, G_N_ELEMENTS (product_ids));
  for (guint i = 0; i < G_N_ELEMENTS (product_ids); i++)
    {
      g_autofree char *sku_sql =
          g_strdup_printf ("SELECT sku FROM product WHERE id = %" PRId64, product_ids[i]);
      g_autofree char *cost_sql =
          g_strdup_printf ("SELECT cost FROM product WHERE id = %" PRId64, product_ids[i]);
      g_autofree char *stock_sql =
          g_strdup_printf ("SELECT IFNULL (SUM (delta), 0) FROM stock_move WHERE location = 'stock'"
                           " AND product_id = %" PRId64,
                           product_ids[i]);
      g_autoptr (sqlite3_stmt) sku_stmt = prepare (sku_sql);
      const TillReportRow *row;
      const RawProduct    *sold;
      gint64               cost = query_int (cost_sql);
      gint64               stock = query_int (stock_sql);
      gint64               level_days = 0, n_days = 0, sold_quantity, cogs, avg;
      GDate                date, end;

      ck_assert_int_eq (sqlite3_step (sku_stmt), SQLITE_ROW);
      row = till_report_find_row (report, (const char *) sqlite3_column_text (sku_stmt, 0));
      sold = g_hash_table_lookup (raw, (const char *) sqlite3_column_text (sku_stmt, 0));
      ck_assert_ptr_nonnull (row);
      g_date_clear (&date, 1);
      g_date_clear (&end, 1);
      g_date_set_parse (&date, from);
      g_date_set_parse (&end, to);
      for (; g_date_compare (&date, &end) <= 0; g_date_add_days (&date, 1), n_days++)
        {
          char day[11];

          day_string (&date, day);
          level_days += raw_level_at (product_ids[i], day);
        }
      sold_quantity = sold != NULL ? sold->quantity - sold->returned : 0;
      cogs = sold != NULL ? sold->cost - sold->returned_cost : 0;
      avg = div_round (level_days * cost, n_days * 1000);
      ASSERT_VALUE (report, row, "stock", stock);
      ASSERT_VALUE (report, row, "unit_cost", cost);
      ASSERT_VALUE (report, row, "value", div_round (stock * cost, 1000));
      ASSERT_VALUE (report, row, "sold", sold_quantity);
      ASSERT_VALUE (report, row, "cogs", cogs);
      ASSERT_VALUE (report, row, "avg_value", avg);
      ASSERT_VALUE (report, row, "turnover", bp (cogs, avg));
      if (stock > 0 && sold_quantity > 0)
        ASSERT_VALUE (report, row, "cover", div_round (stock * n_days * 10, sold_quantity));
      total_value += div_round (stock * cost, 1000);
      total_cogs += cogs;
      total_avg += avg;
    }
  ASSERT_VALUE (report, report->totals, "value", total_value);
  ASSERT_VALUE (report, report->totals, "cogs", total_cogs);
  ASSERT_VALUE (report, report->totals, "avg_value", total_avg);
  ck_assert_int_eq (headline (report, "turnover"), bp (total_cogs, total_avg));
}

/* /core/report/inventory: levels, value, COGS, the average value from the
 * daily and monthly stock rollups, turnover and cover. */
START_TEST (test_inventory)
{
  GDate date;
  char  from[11], to[11];

  build_and_refresh ();
  check_inventory_over (first_day, last_day);
  g_date_clear (&date, 1);
  g_date_set_parse (&date, first_day);
  g_date_add_days (&date, 5);
  day_string (&date, from);
  g_date_add_days (&date, 40);
  day_string (&date, to);
  check_inventory_over (from, to);
}
END_TEST

/* /core/report/members: the top members and the member figures. */
START_TEST (test_members)
{
  g_autoptr (TillReport) report = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gint64 net = 0, sales_count = 0, active = 0;

  build_and_refresh ();
  report = run (TILL_REPORT_MEMBERS, first_day, last_day, TILL_REPORT_PERIOD_DAY, 0);
  stmt = prepare ("SELECT m, SUM (c), SUM (n), SUM (r), SUM (pt) FROM ("
                  " SELECT member_id AS m, 1 AS c, net AS n, 0 AS r, points AS pt FROM raw_sale"
                  "  WHERE member_id IS NOT NULL AND day BETWEEN ?1 AND ?2"
                  " UNION ALL SELECT member_id, 0, 0, refunded, 0 FROM raw_return"
                  "  WHERE member_id IS NOT NULL AND day BETWEEN ?1 AND ?2) GROUP BY m");
  sqlite3_bind_text (stmt, 1, first_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last_day, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const TillReportRow *row =
          till_report_find_row (report, (const char *) sqlite3_column_text (stmt, 0));

      ck_assert_ptr_nonnull (row);
      ck_assert_str_eq (row->label, "138****0000");
      ASSERT_VALUE (report, row, "sales", sqlite3_column_int64 (stmt, 1));
      ASSERT_VALUE (report, row, "net", sqlite3_column_int64 (stmt, 2));
      ASSERT_VALUE (report, row, "refunded", sqlite3_column_int64 (stmt, 3));
      ASSERT_VALUE (report, row, "points", sqlite3_column_int64 (stmt, 4));
      sales_count += sqlite3_column_int64 (stmt, 1);
      net += sqlite3_column_int64 (stmt, 2);
      active += sqlite3_column_int64 (stmt, 1) > 0;
    }
  ck_assert_uint_eq (report->rows->len, G_N_ELEMENTS (member_ids));
  ck_assert_int_gt (sales_count, 0);
  ASSERT_VALUE (report, report->totals, "sales", sales_count);
  ASSERT_VALUE (report, report->totals, "net", net);
  ck_assert_int_eq (headline (report, "member_net"), net);
  ck_assert_int_eq (headline (report, "active_members"), active);
  ck_assert_int_eq (headline (report, "member_share"),
                    bp (net, query_int ("SELECT SUM (net) FROM raw_sale")));
  /* Registered in the range: all but the first (registered in 1970). */
  ck_assert_int_eq (headline (report, "new_members"), G_N_ELEMENTS (member_ids) - 1);
  ck_assert_int_eq (headline (report, "points_earned"),
                    query_int ("SELECT IFNULL (SUM (points), 0) FROM member_points"
                               " WHERE kind = 'earn'"));
}
END_TEST

/* /core/report/daily-quantity: the forecast's history, zero on days without
 * sales. */
START_TEST (test_daily_quantity)
{
  g_autoptr (GError) error = NULL;
  gint64 quantities[N_DAYS + 5];
  GDate  date;
  char   from[11];

  build_and_refresh ();
  g_date_clear (&date, 1);
  g_date_set_parse (&date, first_day);
  g_date_subtract_days (&date, 3);
  day_string (&date, from);
  for (guint p = 0; p < G_N_ELEMENTS (product_ids); p++)
    {
      guint zero_days = 0;

      ck_assert_msg (till_report_get_daily_quantity (store, product_ids[p], from,
                                                     G_N_ELEMENTS (quantities), quantities, &error),
                     "%s", error ? error->message : "");
      for (guint i = 0; i < G_N_ELEMENTS (quantities); i++)
        {
          g_autoptr (sqlite3_stmt) stmt =
              prepare ("SELECT IFNULL (SUM (quantity - returned), 0) FROM raw_line"
                       " WHERE product_id = ? AND day = date (?, '+' || ? || ' days')");

          sqlite3_bind_int64 (stmt, 1, product_ids[p]);
          sqlite3_bind_text (stmt, 2, from, -1, SQLITE_STATIC);
          sqlite3_bind_int (stmt, 3, (int) i);
          ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
          ck_assert_int_eq (quantities[i], sqlite3_column_int64 (stmt, 0));
          zero_days += quantities[i] == 0;
        }
      ck_assert_uint_ge (zero_days, 3);
    }
  ck_assert (
      !till_report_get_daily_quantity (store, product_ids[0], "2026-02-30", 3, quantities, &error));
  ck_assert (g_error_matches (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_RANGE));
}
END_TEST

/* /core/report/reader: a read-only connection answers the same, and a
 * cancelled run stops. */
START_TEST (test_reader)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReportReader) reader = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  build_and_refresh ();
  reader = till_report_reader_new (db_path, &error);
  ck_assert_msg (reader != NULL, "%s", error ? error->message : "");
  for (guint kind = 0; kind < TILL_N_REPORT_KINDS; kind++)
    {
      TillReportQuery query = { .kind = kind, .from_day = first_day, .to_day = last_day };
      g_autoptr (TillReport) here = till_report_run (store, &query, &error);
      g_autoptr (TillReport) there = till_report_reader_run (reader, &query, NULL, &error);
      TillReportKind back;

      ck_assert_msg (here != NULL && there != NULL, "%s", error ? error->message : "");
      ck_assert (till_report_kind_from_string (till_report_kind_to_string (kind), &back));
      ck_assert_int_eq (back, kind);
      ck_assert_uint_eq (here->rows->len, there->rows->len);
      ck_assert_uint_eq (here->columns->len, there->columns->len);
      ck_assert_uint_lt (here->chart_column, MAX (here->columns->len, 1));
      for (guint r = 0; r < here->rows->len; r++)
        {
          const TillReportRow *a = g_ptr_array_index (here->rows, r);
          const TillReportRow *b = g_ptr_array_index (there->rows, r);

          ck_assert_str_eq (a->key, b->key);
          ck_assert_str_eq (a->label, b->label);
          ck_assert_mem_eq (a->values, b->values, here->columns->len * sizeof (gint64));
        }
    }
  /* Writing through the reader is refused: it is read-only. */
  g_cancellable_cancel (cancellable);
  {
    TillReportQuery query = { .kind = TILL_REPORT_FINANCE,
                              .from_day = first_day,
                              .to_day = last_day };
    g_autoptr (TillReport) none = till_report_reader_run (reader, &query, cancellable, &error);

    ck_assert_ptr_null (none);
    ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  }
}
END_TEST

/* /core/report/ranges: malformed days and a range that ends before it
 * starts; kinds by name; values as text. */
START_TEST (test_ranges)
{
  static const char *const bad[][2] = {
    { "2026-13-01", "2026-12-31" }, { "2026-1-01", "2026-12-31" },  { "2026-01-01", "tomorrow" },
    { "2026-02-29", "2026-03-01" }, { "2026-03-02", "2026-03-01" }, { "", "2026-03-01" },
  };
  TillReportKind kind;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      TillReportQuery query = { .kind = TILL_REPORT_SALES_BY_PERIOD,
                                .from_day = bad[i][0],
                                .to_day = bad[i][1] };
      g_autoptr (TillReport) report = till_report_run (store, &query, &error);

      ck_assert_ptr_null (report);
      ck_assert_msg (g_error_matches (error, TILL_REPORT_ERROR, TILL_REPORT_ERROR_RANGE), "%s..%s",
                     bad[i][0], bad[i][1]);
    }
  ck_assert (!till_report_kind_from_string ("nope", &kind));
  ck_assert (till_report_kind_from_string ("hour-heatmap", &kind));
  ck_assert_int_eq (kind, TILL_REPORT_HOUR_HEATMAP);
  {
    static const struct
    {
      TillReportValueKind kind;
      gint64              value;
      const char         *text;
    } values[] = {
      { TILL_REPORT_VALUE_MONEY, 123450, "1234.50" },
      { TILL_REPORT_VALUE_MONEY, -5, "-0.05" },
      { TILL_REPORT_VALUE_PERCENT, 2534, "25.3%" },
      { TILL_REPORT_VALUE_PERCENT, -15, "-0.2%" },
      { TILL_REPORT_VALUE_QUANTITY, 1250, "1.250" },
      { TILL_REPORT_VALUE_QUANTITY, 3000, "3" },
      { TILL_REPORT_VALUE_COUNT, 42, "42" },
      { TILL_REPORT_VALUE_DAYS, 125, "12.5" },
      { TILL_REPORT_VALUE_DAYS, -1, "-" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        g_autofree char *text = till_report_format_value (values[i].kind, values[i].value);

        ck_assert_str_eq (text, values[i].text);
      }
  }
  /* An empty store: every report runs, with zeros. */
  for (guint k = 0; k < TILL_N_REPORT_KINDS; k++)
    {
      g_autoptr (GError) error = NULL;
      TillReportQuery query = { .kind = k, .from_day = "2026-01-01", .to_day = "2026-12-31" };
      g_autoptr (TillReport) report = NULL;

      ck_assert (till_report_refresh (store, 0, NULL, &error));
      report = till_report_run (store, &query, &error);
      ck_assert_msg (report != NULL, "%s: %s", till_report_kind_to_string (k),
                     error ? error->message : "");
    }
}
END_TEST

static Suite *
report_suite (void)
{
  Suite *suite = suite_create ("report");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_folding);
  tcase_add_test (tc, test_sales_reports);
  tcase_add_test (tc, test_product_reports);
  tcase_add_test (tc, test_tender_and_finance);
  tcase_add_test (tc, test_returns_voids);
  tcase_add_test (tc, test_inventory);
  tcase_add_test (tc, test_members);
  tcase_add_test (tc, test_daily_quantity);
  tcase_add_test (tc, test_reader);
  tcase_add_test (tc, test_ranges);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (report_suite ());
}
