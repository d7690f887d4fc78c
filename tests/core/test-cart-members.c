/* test-cart-members.c: tests for members in the sale: the cart
 * (src/core/till-cart.c), the sale commit (till-sale.c), returns
 * (till-return.c) and held sales (till-held-sale.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* The store's rules for these tests: silver from ¥100 of spend (10 % off,
 * 2 points a yuan), the tobacco SKU earns no points, points and stored
 * value earn none. */
#define RULES_JSON                                                                               \
  "{\"tiers\": [{\"code\": \"normal\", \"name\": \"普通会员\", \"min_spend\": 0, "           \
  "\"min_visits\": 0, \"discount_bp\": 0, \"points_per_yuan\": 1}, "                             \
  "{\"code\": \"silver\", \"name\": \"银卡会员\", \"min_spend\": 10000, \"min_visits\": 0, " \
  "\"discount_bp\": 1000, \"points_per_yuan\": 2}], "                                            \
  "\"tier_period_days\": 365, \"points_excluded_skus\": [\"T001\"], "                            \
  "\"points_excluded_categories\": [], "                                                         \
  "\"points_excluded_tenders\": [\"stored-value\", \"voucher\", \"points\"], "                   \
  "\"points_expire_months\": 12, \"points_per_yuan_redeemed\": 100, "                            \
  "\"points_max_share_bp\": 5000, \"birthday_discount_bp\": 1000, "                              \
  "\"birthday_points_multiplier\": 2}"

#define DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

static char          *scratch;
static char          *db_path;
static char          *key_path;
static TillStore     *store;
static TillCatalog   *catalog;
static TillJournal   *journal;
static TillCart      *cart;
static TillUser      *cashier;
static TillUser      *manager; /* returns beyond a cashier's limit */
static TillMemberKey *member_key;

static gint64 cola_id;    /* ¥3.50 */
static gint64 rice_id;    /* ¥50.00, members ¥40.00 */
static gint64 tobacco_id; /* ¥20.00, earns no points */
static gint64 water_id;   /* ¥10.00 */

static gint64
add_product (const char *sku, const char *name, gint64 price, gint64 member_price)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = name,
    .unit = "件",
    .price = price,
    .cost = price / 2,
    .vat_rate = 1300,
    .member_price = member_price,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
  return id;
}

static TillCart *
new_cart (void)
{
  g_autoptr (GError) error = NULL;
  TillCart *new = till_cart_new (store, catalog);

  till_cart_set_member_key (new, member_key);
  ck_assert_msg (till_cart_restore (new, &error), "%s", error ? error->message : "");
  return new;
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  guint8 key_bytes[64];

  for (guint i = 0; i < sizeof key_bytes; i++)
    key_bytes[i] = (guint8) (i * 7 + 3);
  member_key = till_member_key_new_from_bytes (key_bytes);
  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cola_id = add_product ("C001", "可口可乐 330ml", 350, 0);
  rice_id = add_product ("R001", "五常大米 5kg", 5000, 4000);
  tobacco_id = add_product ("T001", "中华香烟", 2000, 0);
  water_id = add_product ("W001", "农夫山泉 整箱", 1000, 0);
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  manager = till_user_authenticate (store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  ck_assert (till_store_set_setting (store, "members.rules", RULES_JSON, &error));
  cart = new_cart ();
}

static void
teardown (void)
{
  g_clear_object (&cart);
  g_clear_object (&cashier);
  g_clear_object (&manager);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  g_clear_object (&member_key);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

static TillMember *
register_member (const char *phone, const char *birthday)
{
  g_autoptr (GError) error = NULL;
  TillMemberSpec spec = { .phone = phone, .name = "张三", .birthday = birthday };
  TillMember    *member = till_member_register (store, journal, member_key, cashier, &spec, &error);

  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  return member;
}

static TillMember *
reload_member (const char *id)
{
  g_autoptr (GError) error = NULL;
  TillMember *member = till_member_load (store, member_key, id, &error);

  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  return member;
}

static void
add (gint64 id, gint64 pieces)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, id, &error);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, pieces * TILL_QUANTITY_ONE, &error) != NULL,
                 "%s", error ? error->message : "");
}

static void
attach (const TillMember *member)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_cart_attach_member (cart, member, &error), "%s", error ? error->message : "");
}

static TillSale *
sell_cash (void)
{
  g_autoptr (GError) error = NULL;
  TillSale *sale =
      till_sale_commit_cash (cart, journal, cashier, till_cart_get_total (cart), &error);

  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* Pays @points_fen of the cart with @member's points (100 points a yuan by
 * the rules), the rest in cash. */
static TillSale *
sell_with_points (const TillMember *member, gint64 points_fen)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPayment) payment = till_payment_new (cart, &error);
  g_autoptr (TillSalePayment) points = NULL;
  g_autoptr (TillSalePayment) cash = NULL;
  TillSale *sale;

  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  points = till_sale_payment_new ("points", TILL_TENDER_KIND_POINTS, points_fen);
  points->reference = g_strdup (member->id);
  points->tendered = points_fen; /* 100 points pay ¥1: as many points as fen */
  ck_assert_msg (till_payment_add (payment, points, &error), "%s", error ? error->message : "");
  cash = till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, till_payment_get_cash_due (payment));
  cash->tendered = cash->amount;
  ck_assert_msg (till_payment_add (payment, cash, &error), "%s", error ? error->message : "");
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

static gint64
query_int (const char *sql, const char *text)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
balance_of (const char *member_id)
{
  g_autoptr (GError) error = NULL;
  gint64 balance = till_loyalty_points_balance (store, member_id, &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  /* The balance is the ledger's sum, never a figure kept apart. */
  ck_assert_int_eq (balance, query_int ("SELECT coalesce(sum(points), 0) FROM member_points "
                                        "WHERE member_id = ?",
                                        member_id));
  return balance;
}

/* /core/cart-members/attach-detach: member prices and the tier discount
 * apply while the member is attached, and go when they are detached */
START_TEST (test_attach_detach)
{
  g_autoptr (TillMember) registered = register_member ("13800001111", NULL);
  g_autoptr (TillMember) member = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert (till_member_set_tier (store, registered->id, "silver", &error));
  member = reload_member (registered->id);
  ck_assert_str_eq (member->tier, "silver");

  add (rice_id, 1);
  add (water_id, 2);
  ck_assert_int_eq (till_cart_get_total (cart), 5000 + 2000);
  ck_assert_ptr_null (till_cart_get_member (cart));

  attach (member);
  ck_assert_ptr_nonnull (till_cart_get_member (cart));
  ck_assert_str_eq (till_cart_get_member (cart)->id, member->id);
  ck_assert_str_eq (till_cart_get_member_id (cart), member->id);
  /* Rice at the member price (better than 10 % off), water 10 % off. */
  ck_assert_int_eq (till_cart_line_get_amount (till_cart_get_line (cart, 0)), 4000);
  ck_assert_int_eq (till_cart_line_get_amount (till_cart_get_line (cart, 1)), 1800);
  ck_assert_int_eq (till_cart_get_total (cart), 5800);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 1200);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart WHERE member_id = ?", member->id), 1);

  ck_assert (till_cart_attach_member (cart, NULL, &error));
  ck_assert_ptr_null (till_cart_get_member (cart));
  ck_assert_ptr_null (till_cart_get_member_id (cart));
  ck_assert_int_eq (till_cart_get_total (cart), 7000);
  ck_assert_int_eq (till_cart_get_promotion_saving (cart), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart WHERE member_id IS NOT NULL", NULL), 0);
}
END_TEST

/* /core/cart-members/restore: a till killed with a member on the sale comes
 * back with them (and their prices); without the key or once erased they
 * are dropped */
START_TEST (test_restore)
{
  g_autoptr (TillMember) member = register_member ("13800002222", NULL);
  g_autoptr (TillMember) other = register_member ("13800002223", NULL);
  g_autoptr (TillCart) again = NULL;
  g_autoptr (TillCart) keyless = NULL;
  g_autoptr (GError) error = NULL;

  /* Attached before the first line: the member alone starts the journal. */
  attach (member);
  add (rice_id, 1);
  ck_assert_int_eq (till_cart_get_total (cart), 4000);

  /* The "crash": a new cart on the same store. */
  again = new_cart ();
  ck_assert_str_eq (till_cart_get_sale_uuid (again), till_cart_get_sale_uuid (cart));
  ck_assert_ptr_nonnull (till_cart_get_member (again));
  ck_assert_str_eq (till_cart_get_member (again)->id, member->id);
  ck_assert_str_eq (till_cart_get_member (again)->phone_masked, "138****2222");
  ck_assert_int_eq (till_cart_get_total (again), 4000);

  /* Erased on request: dropped, and no longer named by the journal. */
  g_clear_object (&again);
  ck_assert_msg (till_member_erase (store, journal, manager, NULL, member->id, &error), "%s",
                 error ? error->message : "");
  again = new_cart ();
  ck_assert_ptr_null (till_cart_get_member (again));
  ck_assert_int_eq (till_cart_get_total (again), 5000);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart WHERE member_id IS NOT NULL", NULL), 0);

  /* No key to open them: the sale goes on without the member. */
  ck_assert (till_cart_attach_member (again, other, &error));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart WHERE member_id = ?", other->id), 1);
  keyless = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (keyless, &error), "%s", error ? error->message : "");
  ck_assert_ptr_null (till_cart_get_member (keyless));
  ck_assert_uint_eq (till_cart_get_n_lines (keyless), 1);
  ck_assert_int_eq (till_cart_get_total (keyless), 5000);
}
END_TEST

/* /core/cart-members/new-sale-without-member: a sale recorded or voided
 * leaves the next one without a member */
START_TEST (test_new_sale_without_member)
{
  g_autoptr (TillMember) member = register_member ("13800003333", NULL);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillCart) again = NULL;

  attach (member);
  add (cola_id, 1);
  sale = sell_cash ();
  ck_assert_str_eq (till_sale_get_member_id (sale), member->id);
  ck_assert_ptr_null (till_cart_get_member (cart));
  ck_assert_ptr_null (till_cart_get_member_id (cart));

  /* Nor does the journal bring them back. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart WHERE member_id IS NOT NULL", NULL), 0);
  again = new_cart ();
  ck_assert_ptr_null (till_cart_get_member (again));
}
END_TEST

/* /core/cart-members/held-sale: holding keeps the member, resuming
 * attaches them again */
START_TEST (test_held_sale)
{
  g_autoptr (TillMember) member = register_member ("13800004444", NULL);
  g_autoptr (GError) error = NULL;
  gint64 held_id;

  attach (member);
  add (rice_id, 2);
  ck_assert_int_eq (till_cart_get_total (cart), 8000);
  held_id = till_held_sale_suspend (cart, journal, cashier, NULL, &error);
  ck_assert_msg (held_id > 0, "%s", error ? error->message : "");
  ck_assert_ptr_null (till_cart_get_member (cart));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM held_sale WHERE member_id = ?", member->id),
                    1);

  ck_assert_msg (till_held_sale_resume (cart, journal, cashier, held_id, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert_ptr_nonnull (till_cart_get_member (cart));
  ck_assert_str_eq (till_cart_get_member (cart)->id, member->id);
  ck_assert_int_eq (till_cart_get_total (cart), 8000);
}
END_TEST

/* /core/cart-members/earn: points on what earns them (the excluded SKU
 * earns nothing), recorded on the sale, in the ledger with an expiry, and in
 * the sale's JSON without the phone */
START_TEST (test_earn)
{
  g_autoptr (TillMember) member = register_member ("13800005555", NULL);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *payload = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  attach (member);
  add (water_id, 3);   /* ¥30.00 earns 30 */
  add (tobacco_id, 1); /* ¥20.00 earns nothing */
  add (cola_id, 1);    /* ¥3.50 earns 3 (floor) */
  sale = sell_cash ();
  ck_assert_int_eq (till_sale_get_total (sale), 5350);
  ck_assert_int_eq (till_sale_get_points_earned (sale), (3000 + 350) / 100);
  ck_assert_int_eq (till_sale_get_points_balance (sale), 33);
  ck_assert_str_eq (till_sale_get_member_masked (sale), "138****5555");
  ck_assert_int_eq (balance_of (member->id), 33);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member_points WHERE kind = 'earn' AND "
                               "points = 33 AND expires_us > created_us AND sale_uuid = ?",
                               till_sale_get_uuid (sale)),
                    1);

  loaded = till_sale_load (store, till_sale_get_uuid (sale), &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_member_id (loaded), member->id);
  ck_assert_str_eq (till_sale_get_member_masked (loaded), "138****5555");
  ck_assert_int_eq (till_sale_get_points_earned (loaded), 33);
  ck_assert_int_eq (till_sale_get_points_balance (loaded), 33);

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT payload FROM outbox WHERE kind = 'sale' AND "
                                        "ref_uuid = ?",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, till_sale_get_uuid (sale), -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  payload =
      g_strndup ((const char *) sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  ck_assert_ptr_nonnull (strstr (payload, "\"member_id\":\""));
  ck_assert_ptr_nonnull (strstr (payload, member->id));
  ck_assert_ptr_nonnull (strstr (payload, "\"points_earned\":33"));
  ck_assert_ptr_null (strstr (payload, "13800005555"));
  ck_assert_ptr_null (strstr (payload, "5555"));
}
END_TEST

/* /core/cart-members/birthday: in the member's birthday week points are
 * multiplied (and the birthday discount applies) */
START_TEST (test_birthday)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *birthday = NULL;
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillSale) sale = NULL;

  /* Not on 29 February: 1990 had none. */
  if (g_date_time_get_month (now) == 2 && g_date_time_get_day_of_month (now) == 29)
    return;
  birthday = g_date_time_format (now, "1990-%m-%d");
  member = register_member ("13800006666", birthday);
  ck_assert_uint_eq (member->birth_month, (guint) g_date_time_get_month (now));

  attach (member);
  add (water_id, 5); /* ¥50.00, 10 % off in the birthday week */
  ck_assert_int_eq (till_cart_get_total (cart), 4500);
  sale = sell_cash ();
  ck_assert_int_eq (till_sale_get_points_earned (sale), 4500 / 100 * 2);
}
END_TEST

/* /core/cart-members/points-tender: paying partly with points: the redeem
 * entry, the excluded tender's share earns nothing, the balance follows */
START_TEST (test_points_tender)
{
  g_autoptr (TillMember) member = register_member ("13800007777", NULL);
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) second = NULL;

  attach (member);
  add (water_id, 6); /* ¥60.00: 60 points */
  first = sell_cash ();
  ck_assert_int_eq (balance_of (member->id), 60);

  attach (member);
  add (water_id, 2); /* ¥20.00, ¥0.50 of it paid with 50 points */
  second = sell_with_points (member, 50);
  ck_assert_uint_eq (till_sale_get_n_payments (second), 2);
  ck_assert_int_eq (till_sale_get_payment (second, 0)->kind, TILL_TENDER_KIND_POINTS);
  ck_assert_int_eq (till_sale_get_payment (second, 0)->tendered, 50);
  /* Earns on ¥20.00 less the ¥0.50 paid by points: floor (19.50) = 19. */
  ck_assert_int_eq (till_sale_get_points_earned (second), 19);
  ck_assert_int_eq (till_sale_get_points_balance (second), 60 - 50 + 19);
  ck_assert_int_eq (balance_of (member->id), 29);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member_points WHERE kind = 'redeem' AND "
                               "points = -50 AND sale_uuid = ?",
                               till_sale_get_uuid (second)),
                    1);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM member_points WHERE member_id = ? AND points <= 0 "
                 "AND kind <> 'redeem'",
                 member->id),
      0);
}
END_TEST

/* /core/cart-members/points-short: a points tender beyond the balance is
 * refused in the sale's transaction and nothing is recorded */
START_TEST (test_points_short)
{
  g_autoptr (TillMember) member = register_member ("13800007788", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSalePayment) points = NULL;
  g_autoptr (TillSalePayment) cash = NULL;
  g_autoptr (TillSale) sale = NULL;

  attach (member);
  add (water_id, 1);
  payment = till_payment_new (cart, &error);
  points = till_sale_payment_new ("points", TILL_TENDER_KIND_POINTS, 100);
  points->reference = g_strdup (member->id);
  points->tendered = 100;
  ck_assert_msg (till_payment_add (payment, points, &error), "%s", error ? error->message : "");
  cash = till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, 900);
  cash->tendered = 900;
  ck_assert_msg (till_payment_add (payment, cash, &error), "%s", error ? error->message : "");
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_ptr_null (sale);
  ck_assert_ptr_nonnull (error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member_points", NULL), 0);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
}
END_TEST

/* /core/cart-members/tier-up: enough spend moves the member up a tier in
 * the sale's transaction, and their next sale gets the tier's discount */
START_TEST (test_tier_up)
{
  g_autoptr (TillMember) member = register_member ("13800008888", NULL);
  g_autoptr (TillMember) after = NULL;
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) second = NULL;

  attach (member);
  add (water_id, 9); /* ¥90: not yet silver */
  first = sell_cash ();
  after = reload_member (member->id);
  ck_assert_str_eq (after->tier, "normal");
  g_clear_pointer (&after, till_member_free);

  attach (member);
  add (water_id, 1); /* ¥100 in all: silver */
  second = sell_cash ();
  after = reload_member (member->id);
  ck_assert_str_eq (after->tier, "silver");

  attach (after);
  add (water_id, 1);
  ck_assert_int_eq (till_cart_get_total (cart), 900);
}
END_TEST

static TillReturn *
return_one_line (TillSale *sale, guint line, gint64 pieces)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReturn) draft = till_return_new_with_receipt (store, sale, &error);

  ck_assert_msg (draft != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_return_set_quantity (draft, line, pieces * TILL_QUANTITY_ONE, &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (till_return_commit (draft, journal, manager, NULL, &error), "%s",
                 error ? error->message : "");
  return g_steal_pointer (&draft);
}

/* /core/cart-members/return-claw-back: partial returns take back earned
 * points in proportion to the refund, adding up exactly to what was earned */
START_TEST (test_return_claw_back)
{
  g_autoptr (TillMember) member = register_member ("13800009999", NULL);
  g_autoptr (TillSale) sale = NULL;
  gint64 clawed[3];
  gint64 sum = 0;

  attach (member);
  add (cola_id, 3); /* ¥10.50: 10 points */
  sale = sell_cash ();
  ck_assert_int_eq (till_sale_get_points_earned (sale), 10);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (TillReturn) one = return_one_line (sale, 0, 1);
      g_autoptr (TillReturn) loaded = NULL;
      g_autoptr (GError) error = NULL;

      clawed[i] = till_return_get_points_clawed_back (one);
      ck_assert_int_eq (till_return_get_points_refunded (one), 0);
      loaded = till_return_load (store, till_return_get_uuid (one), &error);
      ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
      ck_assert_int_eq (till_return_get_points_clawed_back (loaded), clawed[i]);
      sum += clawed[i];
      ck_assert_int_eq (balance_of (member->id), 10 - sum);
    }
  /* ¥3.50 of ¥10.50 each: 3.33 → 3, 6.67 → 7 (4 more), then the last 3. */
  ck_assert_int_eq (clawed[0], 3);
  ck_assert_int_eq (clawed[1], 4);
  ck_assert_int_eq (clawed[2], 3);
  ck_assert_int_eq (sum, till_sale_get_points_earned (sale));
  ck_assert_int_eq (balance_of (member->id), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member_points WHERE kind = 'refund' AND "
                               "points < 0 AND member_id = ?",
                               member->id),
                    3);
}
END_TEST

/* /core/cart-members/return-points-tender: points that paid a sale go back
 * as points (refund kind "points", a + refund entry), before any money */
START_TEST (test_return_points_tender)
{
  g_autoptr (TillMember) member = register_member ("13800001212", NULL);
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) refund = NULL;
  g_autoptr (GError) error = NULL;
  gint64   balance_before;
  gboolean found = FALSE;

  attach (member);
  add (water_id, 5); /* 50 points */
  first = sell_cash ();
  balance_before = balance_of (member->id);
  ck_assert_int_eq (balance_before, 50);

  attach (member);
  add (water_id, 1); /* ¥10.00, ¥0.40 of it with 40 points: earns 9 */
  sale = sell_with_points (member, 40);
  ck_assert_int_eq (till_sale_get_points_earned (sale), 9);
  ck_assert_int_eq (balance_of (member->id), 50 - 40 + 9);

  refund = return_one_line (sale, 0, 1);
  ck_assert_int_eq (till_return_get_points_refunded (refund), 40);
  ck_assert_int_eq (till_return_get_points_clawed_back (refund), 9);
  for (guint i = 0; i < till_return_get_n_refunds (refund); i++)
    {
      const TillRefund *one = till_return_get_refund (refund, i);

      if (one->kind != TILL_TENDER_KIND_POINTS)
        {
          ck_assert_int_eq (one->kind, TILL_TENDER_KIND_CASH);
          ck_assert_int_eq (one->amount, 960);
          continue;
        }
      found = TRUE;
      ck_assert_uint_eq (i, 0); /* ranked first, like stored value */
      ck_assert_int_eq (one->amount, 40);
      ck_assert_str_eq (one->reference, member->id);
    }
  ck_assert (found);
  ck_assert_int_eq (till_return_get_money_refund (refund), 960);
  ck_assert_int_eq (balance_of (member->id), balance_before);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM member_points WHERE kind = 'refund' AND "
                               "points = 40 AND return_uuid = ?",
                               till_return_get_uuid (refund)),
                    1);
  ck_assert_int_eq (query_int ("SELECT points_refunded FROM sale_return WHERE uuid = ?",
                               till_return_get_uuid (refund)),
                    40);
}
END_TEST

/* /core/cart-members/per-member-limit: a promotion a member may use once is
 * theirs in the first sale and no longer in the second */
START_TEST (test_per_member_limit)
{
  g_autoptr (TillMember) member = register_member ("13800001313", NULL);
  g_autoptr (TillMember) other = register_member ("13900001313", NULL);
  g_autoptr (TillSale) first = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TillPromotion *promotion =
      till_promotion_new ("NEW1", "新会员饮料半价", TILL_PROMOTION_PERCENT_OFF);

  promotion->skus = g_strsplit ("C001", ",", -1);
  promotion->percent_bp = 5000;
  promotion->member_only = TRUE;
  promotion->per_member_limit = 1;
  promotion->per_sale_limit = 1;
  ck_assert_msg (till_promotion_validate (promotion, &error), "%s", error ? error->message : "");
  json = till_promotion_to_json (promotion);
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO promotion (code, data, updated_us) "
                                        "VALUES (?, ?, 0)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, promotion->code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  till_promotion_free (promotion);
  ck_assert (till_cart_reload_promotions (cart, &error));

  attach (member);
  add (cola_id, 1);
  ck_assert_int_eq (till_cart_get_total (cart), 175);
  first = sell_cash ();

  attach (member);
  add (cola_id, 1);
  ck_assert_int_eq (till_cart_get_total (cart), 350);

  /* Another member still has it. */
  attach (other);
  ck_assert_int_eq (till_cart_get_total (cart), 175);
}
END_TEST

/* ---------------------------------------------------------- member coupons */

/* A till-local coupon promotion "BDAY": ¥5 off. */
static void
add_coupon_promotion (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TillPromotion *promotion = till_promotion_new ("BDAY-PROMO", "生日券", TILL_PROMOTION_COUPON);

  promotion->coupon_code = g_strdup ("BDAY");
  promotion->amount_off = 500;
  ck_assert_msg (till_promotion_validate (promotion, &error), "%s", error ? error->message : "");
  json = till_promotion_to_json (promotion);
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO promotion (code, data, updated_us) "
                                        "VALUES (?, ?, 0)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, promotion->code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  till_promotion_free (promotion);
  ck_assert (till_cart_reload_promotions (cart, &error));
}

static TillMemberCoupon *
issue (const TillMember *member)
{
  g_autoptr (GError) error = NULL;
  TillMemberCoupon *coupon = till_loyalty_issue_coupon (store, journal, manager, member->id,
                                                        "BDAY-PROMO", "manual", &error);

  ck_assert_msg (coupon != NULL, "%s", error ? error->message : "");
  return coupon;
}

static gint64
count_rows (const char *sql, const char *text)
{
  return query_int (sql, text);
}

/* /core/cart-members/coupon-issue: a member coupon has a code of its own,
 * is listed for its member, journaled and queued for HQ */
START_TEST (test_coupon_issue)
{
  g_autoptr (TillMember) member = register_member ("13800002020", NULL);
  g_autoptr (TillMemberCoupon) first = NULL;
  g_autoptr (TillMemberCoupon) second = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *pattern = NULL;

  add_coupon_promotion ();
  first = issue (member);
  second = issue (member);
  ck_assert (g_str_has_prefix (first->code, "BDAY-"));
  ck_assert_uint_eq (strlen (first->code), strlen ("BDAY-") + 6);
  for (const char *c = first->code + 5; *c != '\0'; c++)
    ck_assert (g_ascii_isupper (*c) || g_ascii_isdigit (*c));
  ck_assert_str_ne (first->code, second->code);
  ck_assert_str_eq (first->name, "生日券");

  listed = till_loyalty_member_coupons (store, member->id, &error);
  ck_assert_msg (listed != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (listed->len, 2);
  ck_assert_str_eq (((TillMemberCoupon *) g_ptr_array_index (listed, 0))->promotion, "BDAY-PROMO");

  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = ?", "member-coupon"), 2);
  pattern = g_strdup_printf ("%%\"action\":\"coupon\"%%\"code\":\"%s\"%%", first->code);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM outbox WHERE kind = 'member' "
                                "AND CAST(payload AS TEXT) LIKE ?",
                                pattern),
                    1);

  /* Only coupon promotions are issued. */
  ck_assert (till_loyalty_issue_coupon (store, journal, manager, member->id, "NO-SUCH", "manual",
                                        &error) == NULL);
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_NO_COUPON));
  g_clear_error (&error);

  /* A cashier may not hand out coupons: nothing issued, nothing journaled. */
  ck_assert (till_loyalty_issue_coupon (store, journal, cashier, member->id, "BDAY-PROMO", "manual",
                                        &error) == NULL);
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  ck_assert_int_eq (
      count_rows ("SELECT count(*) FROM member_coupon WHERE member_id = ?", member->id), 2);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = ?", "member-coupon"), 2);
}
END_TEST

/* /core/cart-members/coupon-owner: a member coupon applies on its member's
 * sale only: refused without a member and for another member */
START_TEST (test_coupon_owner)
{
  g_autoptr (TillMember) owner = register_member ("13800002121", NULL);
  g_autoptr (TillMember) other = register_member ("13900002121", NULL);
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autoptr (TillPromotion) applied = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *typed = NULL;
  gint64           full;

  add_coupon_promotion ();
  coupon = issue (owner);
  add (water_id, 2);
  full = till_cart_get_total (cart);

  ck_assert (till_cart_add_coupon (cart, coupon->code, &error) == NULL);
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
  ck_assert_msg (strstr (error->message, owner->phone_masked) != NULL, "%s", error->message);
  g_clear_error (&error);

  attach (other);
  ck_assert (till_cart_add_coupon (cart, coupon->code, &error) == NULL);
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
  g_clear_error (&error);
  ck_assert_ptr_null (till_cart_get_coupons (cart)[0]);

  /* Typed in lower case, it is still the owner's coupon. */
  attach (owner);
  full = till_cart_get_total (cart);
  typed = g_ascii_strdown (coupon->code, -1);
  applied = till_cart_add_coupon (cart, typed, &error);
  ck_assert_msg (applied != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (applied->code, "BDAY-PROMO");
  ck_assert_str_eq (till_cart_get_coupons (cart)[0], coupon->code);
  ck_assert_int_eq (till_cart_get_total (cart), full - 500);
}
END_TEST

/* /core/cart-members/coupon-spent: the sale spends a member coupon; a
 * second use is refused with the date it was used */
START_TEST (test_coupon_spent)
{
  g_autoptr (TillMember) member = register_member ("13800002222", NULL);
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autoptr (TillMemberCoupon) other_coupon = NULL;
  g_autoptr (TillPromotion) applied = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GPtrArray) left = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) today = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (today, "%Y-%m-%d");

  add_coupon_promotion ();
  coupon = issue (member);
  other_coupon = issue (member);
  attach (member);
  add (water_id, 2);
  applied = till_cart_add_coupon (cart, coupon->code, &error);
  ck_assert_msg (applied != NULL, "%s", error ? error->message : "");
  sale = sell_cash ();

  ck_assert_int_eq (count_rows ("SELECT count(*) FROM member_coupon WHERE code = ? "
                                "AND used_us > 0",
                                coupon->code),
                    1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM member_coupon WHERE sale_uuid = ?",
                                till_sale_get_uuid (sale)),
                    1);
  /* Spending one member coupon leaves the promotion's other codes alone. */
  ck_assert_int_eq (
      count_rows ("SELECT count(*) FROM coupon_use WHERE sale_uuid = ?", till_sale_get_uuid (sale)),
      0);
  left = till_loyalty_member_coupons (store, member->id, &error);
  ck_assert_msg (left != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (left->len, 1);
  ck_assert_str_eq (((TillMemberCoupon *) g_ptr_array_index (left, 0))->code, other_coupon->code);

  attach (member);
  add (water_id, 2);
  ck_assert (till_cart_add_coupon (cart, coupon->code, &error) == NULL);
  ck_assert (g_error_matches (error, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
  ck_assert_msg (strstr (error->message, date) != NULL, "%s", error->message);
  g_clear_error (&error);
  g_clear_pointer (&applied, till_promotion_free);
  applied = till_cart_add_coupon (cart, other_coupon->code, &error);
  ck_assert_msg (applied != NULL, "%s", error ? error->message : "");
}
END_TEST

/* /core/cart-members/coupon-detach: a member's coupon leaves the sale with
 * the member, and when another member takes their place */
START_TEST (test_coupon_detach)
{
  g_autoptr (TillMember) member = register_member ("13800002323", NULL);
  g_autoptr (TillMember) other = register_member ("13900002323", NULL);
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autoptr (TillPromotion) applied = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) restored = NULL;
  gint64 without;

  add_coupon_promotion ();
  coupon = issue (member);
  attach (member);
  add (water_id, 2);
  without = till_cart_get_total (cart);
  applied = till_cart_add_coupon (cart, coupon->code, &error);
  ck_assert_msg (applied != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_cart_get_total (cart), without - 500);

  /* A restored cart keeps it, for the same member. */
  restored = new_cart ();
  ck_assert_str_eq (till_cart_get_coupons (restored)[0], coupon->code);
  ck_assert_int_eq (till_cart_get_total (restored), without - 500);

  ck_assert (till_cart_attach_member (cart, NULL, &error));
  ck_assert_ptr_null (till_cart_get_coupons (cart)[0]);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM cart_coupon WHERE code = ?", coupon->code),
                    0);

  attach (member);
  g_clear_pointer (&applied, till_promotion_free);
  applied = till_cart_add_coupon (cart, coupon->code, &error);
  ck_assert_msg (applied != NULL, "%s", error ? error->message : "");
  attach (other);
  ck_assert_ptr_null (till_cart_get_coupons (cart)[0]);
}
END_TEST

/* ------------------------------------------------------- points for gifts */

static void
give_points (const char *member_id, gint64 points)
{
  g_autoptr (GError) error = NULL;

  ck_assert (till_store_begin (store, &error));
  ck_assert_msg (_till_loyalty_add_points (store, member_id, "earn", points, 0, NULL, NULL,
                                           g_get_real_time (), &error),
                 "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, &error));
}

/* /core/cart-members/gift: points for a gift lower the balance, move the
 * gift out of stock, are journaled and queued; refused when short */
START_TEST (test_gift)
{
  g_autoptr (TillMember) member = register_member ("13800002424", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *water = g_strdup_printf ("%" G_GINT64_FORMAT, water_id);

  give_points (member->id, 500);
  ck_assert_msg (
      till_loyalty_redeem_for_gift (store, journal, cashier, member->id, water_id, 300, &error),
      "%s", error ? error->message : "");
  ck_assert_int_eq (balance_of (member->id), 200);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM stock_move WHERE product_id = CAST(? AS "
                                "INTEGER) AND delta = -1000 AND reason = 'points-gift' AND "
                                "ref_uuid IN (SELECT op_uuid FROM member_points WHERE kind = "
                                "'redeem')",
                                water),
                    1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = ?", "points-gift"), 1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM outbox WHERE kind = 'member' AND "
                                "CAST(payload AS TEXT) LIKE ?",
                                "%\"action\":\"points-gift\"%"),
                    1);

  ck_assert (
      !till_loyalty_redeem_for_gift (store, journal, cashier, member->id, water_id, 300, &error));
  ck_assert (g_error_matches (error, TILL_LOYALTY_ERROR, TILL_LOYALTY_ERROR_POINTS));
  ck_assert_int_eq (balance_of (member->id), 200);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM stock_move WHERE reason = ?", "points-gift"),
                    1);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = ?", "points-gift"), 1);
}
END_TEST

/* ---------------------------------------------------------- daily upkeep */

/* /core/cart-members/daily-downgrade: when the spend that made a member
 * silver leaves the period, the daily upkeep moves them down, and their
 * points expire */
START_TEST (test_daily_downgrade)
{
  g_autoptr (TillMember) member = register_member ("13800002525", NULL);
  g_autoptr (TillMember) silver = NULL;
  g_autoptr (TillMember) later = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();

  attach (member);
  add (water_id, 12); /* ¥120: silver from ¥100 */
  sale = sell_cash ();
  silver = reload_member (member->id);
  ck_assert_str_eq (silver->tier, "silver");
  ck_assert_int_gt (balance_of (member->id), 0);

  ck_assert_int_eq (till_loyalty_run_daily (store, journal, member_key, now + 2 * DAY_US, &error),
                    0);
  ck_assert_msg (error == NULL, "%s", error ? error->message : "");

  ck_assert_int_eq (till_loyalty_run_daily (store, journal, member_key, now + 400 * DAY_US, &error),
                    1);
  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  later = reload_member (member->id);
  ck_assert_str_eq (later->tier, "normal");
  ck_assert_int_eq (balance_of (member->id), 0);
}
END_TEST

/* /core/cart-members/daily-birthday: the daily upkeep issues the rules'
 * birthday coupon to a member whose birthday week began, once */
START_TEST (test_daily_birthday)
{
  g_autoptr (GDateTime) today = g_date_time_new_now_local ();
  g_autofree char *birthday = g_date_time_format (today, "%m-%d");
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillMember) other = NULL;
  g_autoptr (GPtrArray) coupons = NULL;
  g_autoptr (GPtrArray) none = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char  *rules = NULL;
  gint64            now = g_get_real_time ();
  TillMemberCoupon *coupon;

  add_coupon_promotion ();
  /* The rules as above, with the birthday coupon. */
  rules = g_strconcat ("{\"birthday_coupon\": \"BDAY-PROMO\", ", RULES_JSON + 1, NULL);
  ck_assert (till_store_set_setting (store, "members.rules", rules, &error));
  /* 29 February has no birthday week in most years: take the 28th. */
  if (strcmp (birthday, "02-29") == 0)
    {
      g_free (birthday);
      birthday = g_strdup ("02-28");
    }
  member = register_member ("13800002626", birthday);
  other = register_member ("13900002626", NULL);

  ck_assert_int_ge (till_loyalty_run_daily (store, journal, member_key, now, &error), 0);
  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  ck_assert_int_ge (till_loyalty_run_daily (store, journal, member_key,
                                            now + G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC,
                                            &error),
                    0);
  ck_assert_msg (error == NULL, "%s", error ? error->message : "");

  coupons = till_loyalty_member_coupons (store, member->id, &error);
  ck_assert_msg (coupons != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (coupons->len, 1);
  coupon = g_ptr_array_index (coupons, 0);
  ck_assert_str_eq (coupon->reason, "birthday");
  ck_assert (g_str_has_prefix (coupon->code, "BDAY-"));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM outbox WHERE kind = 'member' AND "
                                "CAST(payload AS TEXT) LIKE ?",
                                "%\"reason\":\"birthday\"%"),
                    1);
  /* Issued by the upkeep, journaled all the same. */
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = ?", "member-coupon"), 1);

  none = till_loyalty_member_coupons (store, other->id, &error);
  ck_assert_msg (none != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (none->len, 0);
}
END_TEST

static Suite *
cart_members_suite (void)
{
  Suite *suite = suite_create ("core/cart-members");
  TCase *cart_case = tcase_create ("cart");
  TCase *sale_case = tcase_create ("sale");
  TCase *return_case = tcase_create ("return");
  TCase *loyalty_case = tcase_create ("coupons-gifts-upkeep");

  tcase_add_checked_fixture (cart_case, setup, teardown);
  tcase_add_test (cart_case, test_attach_detach);
  tcase_add_test (cart_case, test_restore);
  tcase_add_test (cart_case, test_new_sale_without_member);
  tcase_add_test (cart_case, test_held_sale);
  tcase_add_test (cart_case, test_per_member_limit);
  suite_add_tcase (suite, cart_case);

  tcase_add_checked_fixture (sale_case, setup, teardown);
  tcase_add_test (sale_case, test_earn);
  tcase_add_test (sale_case, test_birthday);
  tcase_add_test (sale_case, test_points_tender);
  tcase_add_test (sale_case, test_points_short);
  tcase_add_test (sale_case, test_tier_up);
  suite_add_tcase (suite, sale_case);

  tcase_add_checked_fixture (return_case, setup, teardown);
  tcase_add_test (return_case, test_return_claw_back);
  tcase_add_test (return_case, test_return_points_tender);
  suite_add_tcase (suite, return_case);

  tcase_add_checked_fixture (loyalty_case, setup, teardown);
  tcase_add_test (loyalty_case, test_coupon_issue);
  tcase_add_test (loyalty_case, test_coupon_owner);
  tcase_add_test (loyalty_case, test_coupon_spent);
  tcase_add_test (loyalty_case, test_coupon_detach);
  tcase_add_test (loyalty_case, test_gift);
  tcase_add_test (loyalty_case, test_daily_downgrade);
  tcase_add_test (loyalty_case, test_daily_birthday);
  suite_add_tcase (suite, loyalty_case);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (cart_members_suite ());
}
