/* test-held-sale.c: tests for src/core/till-held-sale.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashier;
static TillUser    *supervisor;

static gint64 cola_id;  /* ¥3.50 */
static gint64 chips_id; /* ¥12.80 */
static gint64 apple_id; /* ¥5.98/kg, weighed */

static const TillOverride approval = {
  .supervisor_code = "2001",
  .supervisor_secret = "5678",
  .badge = FALSE,
  .reason = "customer-request",
};

static gint64
add_product (const char *sku, const char *name, const char *unit, gint64 price, gboolean weighed)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = name,
    .unit = unit,
    .price = price,
    .cost = price / 2,
    .vat_rate = 1300,
    .weighed = weighed,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
  return id;
}

static TillUser *
sign_in (const char *code, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user = till_user_authenticate (store, code, pin, &error);

  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
open_all (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  cashier = sign_in ("1001", "1234");
  supervisor = sign_in ("2001", "5678");
}

static void
close_all (void)
{
  g_clear_object (&cart);
  g_clear_object (&cashier);
  g_clear_object (&supervisor);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  cola_id = add_product ("C001", "可口可乐 330ml", "罐", 350, FALSE);
  chips_id = add_product ("C002", "乐事薯片 原味 70g", "袋", 1280, FALSE);
  apple_id = add_product ("F001", "红富士苹果", "kg", 598, TRUE);
  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "2001", "李主管", TILL_ROLE_SUPERVISOR, "5678", &error) > 0);
  ck_assert (till_user_create (store, "9001", "王经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  g_clear_object (&catalog);
  g_clear_object (&store);
  /* The default permissions apply: cashiers may suspend and resume, a
   * supervisor may override prices and discount within 20 % and ¥50. */
  open_all ();
}

static void
teardown (void)
{
  close_all ();
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

static void
add (gint64 id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, id, &error);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, quantity, &error) != NULL, "%s",
                 error ? error->message : "");
}

static gint64
query_int (const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
count_journal (const char *kind)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM journal WHERE kind = '%s'", kind);

  return query_int (sql);
}

static void
assert_journal_verifies (void)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = 0;

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s (seq %" G_GINT64_FORMAT ")",
                 error ? error->message : "", bad_seq);
}

static gint64
suspend (TillUser *user)
{
  g_autoptr (GError) error = NULL;
  gint64 held_id = till_held_sale_suspend (cart, journal, user, NULL, &error);

  ck_assert_msg (held_id > 0, "%s", error ? error->message : "");
  return held_id;
}

/* A cart with an override, a line discount and a whole-sale discount. */
static void
fill_special_cart (void)
{
  g_autoptr (GError) error = NULL;

  add (cola_id, 3000);
  add (chips_id, 1000);
  add (apple_id, 1234);
  ck_assert_msg (till_cart_override_price (cart, journal, supervisor, 1, 1100, "damaged-packaging",
                                           NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert (
      till_cart_set_line_discount (cart, journal, supervisor, 0, 1000, "promo", NULL, &error));
  ck_assert (till_cart_set_sale_discount (cart, journal, supervisor, 500, "member", NULL, &error));
}

typedef struct
{
  gint64 product_id, quantity, unit_price, original_price, amount, sale_discount;
  int    discount_bp;
} LineSnapshot;

static GArray *
snapshot (void)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (LineSnapshot));

  for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
    {
      TillCartLine *line = till_cart_get_line (cart, i);
      LineSnapshot  s = {
         .product_id = till_product_get_id (till_cart_line_get_product (line)),
         .quantity = till_cart_line_get_quantity (line),
         .unit_price = till_cart_line_get_unit_price (line),
         .original_price = till_cart_line_get_original_price (line),
         .amount = till_cart_line_get_amount (line),
         .sale_discount = till_cart_line_get_sale_discount (line),
         .discount_bp = till_cart_line_get_discount_bp (line),
      };

      g_array_append_val (lines, s);
    }
  return lines;
}

static void
assert_same_lines (GArray *expected)
{
  g_autoptr (GArray) now = snapshot ();

  ck_assert_uint_eq (now->len, expected->len);
  for (guint i = 0; i < now->len; i++)
    {
      const LineSnapshot *a = &g_array_index (now, LineSnapshot, i);
      const LineSnapshot *e = &g_array_index (expected, LineSnapshot, i);

      ck_assert_int_eq (a->product_id, e->product_id);
      ck_assert_int_eq (a->quantity, e->quantity);
      ck_assert_int_eq (a->unit_price, e->unit_price);
      ck_assert_int_eq (a->original_price, e->original_price);
      ck_assert_int_eq (a->amount, e->amount);
      ck_assert_int_eq (a->sale_discount, e->sale_discount);
      ck_assert_int_eq (a->discount_bp, e->discount_bp);
    }
}

/* /core/held-sale/round-trip: suspend empties the cart, resume brings back the
 * very same lines, uuid, discounts and totals */
START_TEST (test_round_trip)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) before = NULL;
  g_autoptr (GPtrArray) held = NULL;
  g_autofree char *uuid = NULL;
  gint64           total;
  gint64           held_id;
  TillHeldSale    *entry;

  fill_special_cart ();
  before = snapshot ();
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  total = till_cart_get_total (cart);

  held_id = suspend (cashier);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (cart), uuid);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_line"), 0);
  ck_assert_int_eq (count_journal ("suspend-sale"), 1);

  held = till_held_sale_list (store, &error);
  ck_assert_msg (held != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (held->len, 1);
  entry = g_ptr_array_index (held, 0);
  ck_assert_int_eq (entry->id, held_id);
  ck_assert_str_eq (entry->sale_uuid, uuid);
  ck_assert_str_eq (entry->cashier_code, "1001");
  ck_assert_str_eq (entry->cashier_name, "张三");
  ck_assert_int_eq (entry->total, total);
  ck_assert_int_eq (entry->item_count, 3 + 1 + 1);
  ck_assert_uint_eq (entry->n_lines, 3);
  ck_assert (!entry->stale);
  ck_assert (entry->held_us > 0 && entry->held_us <= g_get_real_time ());

  /* Today's price of cola changes: the held sale keeps the price it had. */
  ck_assert (till_store_exec (store, "UPDATE product SET price = 999 WHERE sku = 'C001'", NULL));

  ck_assert_msg (till_held_sale_resume (cart, journal, cashier, held_id, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), uuid);
  assert_same_lines (before);
  ck_assert_int_eq (till_cart_get_sale_discount_bp (cart), 500);
  ck_assert_int_eq (till_cart_get_total (cart), total);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM held_sale"), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM held_sale_line"), 0);
  ck_assert_int_eq (count_journal ("resume-sale"), 1);

  /* Resumed once, it is gone. */
  ck_assert (!till_held_sale_resume (cart, journal, cashier, held_id, NULL, &error));
  assert_journal_verifies ();
}
END_TEST

/* /core/held-sale/several: three held sales listed oldest first, resumed in
 * any order */
START_TEST (test_several)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) held = NULL;
  gint64 ids[3];
  gint64 totals[3];

  for (int i = 0; i < 3; i++)
    {
      add (cola_id, 1000 * (i + 1));
      if (i == 1)
        add (chips_id, 1000);
      totals[i] = till_cart_get_total (cart);
      ids[i] = suspend (i == 2 ? supervisor : cashier);
    }
  held = till_held_sale_list (store, &error);
  ck_assert_uint_eq (held->len, 3);
  for (int i = 0; i < 3; i++)
    {
      TillHeldSale *entry = g_ptr_array_index (held, i);

      ck_assert_int_eq (entry->id, ids[i]);
      ck_assert_int_eq (entry->total, totals[i]);
    }
  ck_assert_str_eq (((TillHeldSale *) g_ptr_array_index (held, 2))->cashier_code, "2001");

  ck_assert (till_held_sale_resume (cart, journal, cashier, ids[1], NULL, &error));
  ck_assert_int_eq (till_cart_get_total (cart), totals[1]);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  g_clear_pointer (&held, g_ptr_array_unref);
  held = till_held_sale_list (store, &error);
  ck_assert_uint_eq (held->len, 2);
  assert_journal_verifies ();
}
END_TEST

/* /core/held-sale/restart: held sales survive closing and reopening the store */
START_TEST (test_restart)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) before = NULL;
  g_autoptr (GPtrArray) held = NULL;
  gint64 held_id;
  gint64 total;

  fill_special_cart ();
  before = snapshot ();
  total = till_cart_get_total (cart);
  held_id = suspend (cashier);
  add (chips_id, 2000); /* a new sale in progress when the till goes down */

  close_all ();
  open_all ();

  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  held = till_held_sale_list (store, &error);
  ck_assert_uint_eq (held->len, 1);
  /* Not into a cart with lines. */
  ck_assert (!till_held_sale_resume (cart, journal, cashier, held_id, NULL, &error));
  ck_assert (g_error_matches (error, TILL_HELD_SALE_ERROR, TILL_HELD_SALE_ERROR_NOT_EMPTY));
  g_clear_error (&error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM held_sale"), 1);
  ck_assert_int_eq (count_journal ("resume-sale"), 0);

  ck_assert (till_cart_void_sale (cart, journal, supervisor, "customer-left", NULL, &error));
  ck_assert_msg (till_held_sale_resume (cart, journal, cashier, held_id, NULL, &error), "%s",
                 error ? error->message : "");
  assert_same_lines (before);
  ck_assert_int_eq (till_cart_get_total (cart), total);

  /* And the resumed cart is journaled: another restart keeps it. */
  close_all ();
  open_all ();
  assert_same_lines (before);
  ck_assert_int_eq (till_cart_get_total (cart), total);
  assert_journal_verifies ();
}
END_TEST

/* /core/held-sale/stale: a sale held on an earlier business day is listed with
 * the warning flag, and kept */
START_TEST (test_stale)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) held = NULL;

  add (cola_id, 1000);
  suspend (cashier);
  add (chips_id, 1000);
  suspend (cashier);
  ck_assert (till_store_exec (store,
                              "UPDATE held_sale SET business_day = '2020-01-01', held_us = 1 "
                              "WHERE id = (SELECT min(id) FROM held_sale)",
                              NULL));
  held = till_held_sale_list (store, &error);
  ck_assert_uint_eq (held->len, 2);
  ck_assert (((TillHeldSale *) g_ptr_array_index (held, 0))->stale);
  ck_assert (!((TillHeldSale *) g_ptr_array_index (held, 1))->stale);
}
END_TEST

/* /core/held-sale/permission: without the permission nothing is held and nothing
 * journaled; with a supervisor's override it is, and the override is journaled */
START_TEST (test_permission)
{
  g_autoptr (GError) error = NULL;
  gint64 entries;

  ck_assert_msg (till_permission_role_set (store, journal, "9001", TILL_ROLE_CASHIER,
                                           TILL_PERMISSION_SUSPEND_SALE, FALSE, &error),
                 "%s", error ? error->message : "");
  add (cola_id, 2000);
  entries = query_int ("SELECT count(*) FROM journal");
  ck_assert_int_eq (till_held_sale_suspend (cart, journal, cashier, NULL, &error), 0);
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM held_sale"), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal"), entries);

  ck_assert_msg (till_held_sale_suspend (cart, journal, cashier, &approval, &error) > 0, "%s",
                 error ? error->message : "");
  ck_assert_int_eq (count_journal ("override"), 1);
  ck_assert_int_eq (count_journal ("suspend-sale"), 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);

  /* Nothing to suspend in an empty cart. */
  ck_assert_int_eq (till_held_sale_suspend (cart, journal, supervisor, NULL, &error), 0);
  ck_assert (g_error_matches (error, TILL_HELD_SALE_ERROR, TILL_HELD_SALE_ERROR_EMPTY));
  assert_journal_verifies ();
}
END_TEST

static Suite *
held_sale_suite (void)
{
  Suite *suite = suite_create ("core/held-sale");
  TCase *tc = tcase_create ("held-sale");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_several);
  tcase_add_test (tc, test_restart);
  tcase_add_test (tc, test_stale);
  tcase_add_test (tc, test_permission);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (held_sale_suite ());
}
