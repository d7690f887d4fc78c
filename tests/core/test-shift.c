/* test-shift.c: tests for src/core/till-shift.c: shifts, cash movements,
 * the close in steps, X, close and Z reports, and the hooks that feed them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "till-core.h"
#include "till-test-util.h"

#define MEMBER_ID "0190a0b0-0000-7000-8000-0000000000aa"

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashier;    /* 1001, cashier */
static TillUser    *cashier_b;  /* 1002, cashier */
static TillUser    *supervisor; /* 2001 */
static TillUser    *supervisor_b;
static TillUser    *supervisor_c;
static TillUser    *manager; /* the demo manager */

static gint64 product_ids[6];
#define PROMOTED 5 /* product_ids[PROMOTED] is 10 % off */

static const TillOverride manager_override = {
  .supervisor_code = TILL_DEMO_MANAGER_CODE,
  .supervisor_secret = TILL_DEMO_MANAGER_PIN,
  .reason = "approved-by-manager",
};

/* --- Helpers --------------------------------------------------------------- */

static gint64
add_product (const char *sku, gint64 price)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = sku,
    .unit = "个",
    .price = price,
    .cost = price / 2,
    .vat_rate = 1300,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
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
exec_sql (const char *sql)
{
  char *message = NULL;

  ck_assert_msg (sqlite3_exec (till_store_get_db (store), sql, NULL, NULL, &message) == SQLITE_OK,
                 "%s: %s", sql, message ? message : "");
}

static void
open_store (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
}

static void
close_store (void)
{
  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
add_promotion (void)
{
  g_autoptr (TillPromotion) promotion =
      till_promotion_new ("P10", "十件九折", TILL_PROMOTION_PERCENT_OFF);
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *json = NULL;
  const char      *skus[] = { "P006", NULL };

  promotion->skus = g_strdupv ((char **) skus);
  promotion->percent_bp = 1000;
  ck_assert_msg (till_promotion_validate (promotion, &error), "%s", error ? error->message : "");
  json = till_promotion_to_json (promotion);
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO promotion (code, data, updated_us) "
                                        "VALUES ('P10', ?, 0)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  ck_assert (till_cart_reload_promotions (cart, &error));
}

static void
setup (void)
{
  static const gint64 prices[] = { 350, 1280, 598, 1234, 999, 1500 };

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  open_store ();
  for (guint i = 0; i < G_N_ELEMENTS (prices); i++)
    {
      g_autofree char *sku = g_strdup_printf ("P%03u", i + 1);

      product_ids[i] = add_product (sku, prices[i]);
    }
  add_promotion ();
  cashier = add_user ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  cashier_b = add_user ("1002", "李四", TILL_ROLE_CASHIER, "1234");
  supervisor = add_user ("2001", "王五", TILL_ROLE_SUPERVISOR, "2222");
  supervisor_b = add_user ("2002", "赵六", TILL_ROLE_SUPERVISOR, "2222");
  supervisor_c = add_user ("2003", "孙七", TILL_ROLE_SUPERVISOR, "2222");
  manager = add_user (TILL_DEMO_MANAGER_CODE, "李经理", TILL_ROLE_MANAGER, TILL_DEMO_MANAGER_PIN);
  exec_sql ("INSERT INTO member (id, phone_masked, registered_us, updated_us) "
            "VALUES ('" MEMBER_ID "', '138****0000', 1, 1)");
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&cashier_b);
  g_clear_object (&supervisor);
  g_clear_object (&supervisor_b);
  g_clear_object (&supervisor_c);
  g_clear_object (&manager);
  close_store ();
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

static gint64
query_int (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
query_text (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* A count of @total fen, largest pieces first. */
static TillCashCount
count_for (gint64 total)
{
  TillCashCount count = { { 0 } };

  ck_assert (total >= 0);
  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    {
      gint64 value = till_denomination_get_value ((TillDenomination) i);

      count.pieces[i] = total / value;
      total %= value;
    }
  ck_assert_int_eq (total, 0);
  return count;
}

static TillShift *
open_shift (TillUser *user, gint64 float_fen)
{
  g_autoptr (GError) error = NULL;
  TillCashCount count = count_for (float_fen);
  TillShift    *shift = till_shift_open (store, journal, user, &count, &error);

  ck_assert_msg (shift != NULL, "%s", error ? error->message : "");
  return shift;
}

static TillShift *
current (void)
{
  g_autoptr (GError) error = NULL;
  TillShift *shift = till_shift_get_current (store, &error);

  ck_assert_ptr_null (error);
  return shift;
}

static void
begin_close (TillUser *user)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_shift_begin_close (store, journal, user, NULL, &error), "%s",
                 error ? error->message : "");
}

static void
record_count (TillUser *user, gint64 counted)
{
  g_autoptr (GError) error = NULL;
  TillCashCount count = count_for (counted);

  ck_assert_msg (till_shift_record_count (store, journal, user, &count, &error), "%s",
                 error ? error->message : "");
}

static void
finish_close (TillUser *user, gboolean handover, const char *reason, const TillOverride *override)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_shift_finish_close (store, journal, user, handover, reason, override, &error),
                 "%s", error ? error->message : "");
}

static void
add (guint product, gint64 pieces)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) p = till_catalog_lookup_id (catalog, product_ids[product], &error);

  ck_assert_msg (p != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, p, pieces * TILL_QUANTITY_ONE, &error) != NULL, "%s",
                 error ? error->message : "");
}

static TillSale *
sell_cash (TillUser *user, gint64 extra)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPayment) payment = till_payment_new (cart, &error);
  TillSale *sale;

  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  sale = till_sale_commit_cash (cart, journal, user, till_payment_get_cash_due (payment) + extra,
                                &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* A card pays @card_part (0: all of it); cash the rest. */
static TillSale *
sell_card (TillUser *user, gint64 card_part, gint64 extra)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPayment) payment = till_payment_new (cart, &error);
  g_autoptr (TillSalePayment) card = NULL;
  TillSale *sale;
  gint64    exact;

  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  exact = till_payment_get_exact (payment);
  card = till_sale_payment_new ("card", TILL_TENDER_KIND_CARD,
                                card_part > 0 && card_part < exact ? card_part : exact);
  card->reference = g_strdup ("000123");
  ck_assert_msg (till_payment_add (payment, card, &error), "%s", error ? error->message : "");
  if (till_payment_is_complete (payment))
    sale = till_sale_commit (cart, payment, journal, user, &error);
  else
    sale = till_sale_commit_cash (cart, journal, user, till_payment_get_cash_due (payment) + extra,
                                  &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* Returns one piece of the first line of @sale that has one left; FALSE
 * when nothing is left to return. */
static gboolean
return_one (TillUser *user, TillSale *sale)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReturn) ret = till_return_new_with_receipt (store, sale, &error);

  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    if (till_return_get_returnable (ret, i) >= TILL_QUANTITY_ONE)
      {
        ck_assert_msg (till_return_set_quantity (ret, i, TILL_QUANTITY_ONE, &error), "%s",
                       error ? error->message : "");
        ck_assert_msg (till_return_commit (ret, journal, user, NULL, &error), "%s",
                       error ? error->message : "");
        return TRUE;
      }
  return FALSE;
}

static void
no_sale (TillUser *user)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_drawer_open_no_sale (store, journal, user, "change", NULL, &error) > 0, "%s",
                 error ? error->message : "");
}

static void
move_cash (TillUser *user, TillCashMovementKind kind, gint64 amount)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid =
      till_shift_move_cash (store, journal, user, kind, amount, "float top-up", NULL, &error);

  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");
}

static void
top_up (TillUser *user, gint64 amount, const char *method)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStoredValueAccount) account =
      till_stored_value_top_up (store, journal, user, MEMBER_ID, amount, method, &error);

  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
}

static void
void_line (TillUser *user, guint position)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_cart_void_line (cart, journal, user, position, "wrong item", NULL, &error),
                 "%s", error ? error->message : "");
}

static void
void_sale (TillUser *user)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_cart_void_sale (cart, journal, user, "customer left", NULL, &error), "%s",
                 error ? error->message : "");
}

/* --- Totals recomputed from the raw rows ------------------------------------ */

static void
totals_clear_tenders (TillShiftTotals *totals)
{
  g_clear_pointer (&totals->tenders, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TillShiftTotals, totals_clear_tenders)

static TillTally
query_tally (const char *sql, const char *uuid)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TillTally tally;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  tally.count = sqlite3_column_int64 (stmt, 0);
  tally.amount = sqlite3_column_int64 (stmt, 1);
  return tally;
}

/* A tally by @sql with {col} replaced by @column ("shift_uuid" or
 * "day_uuid"). */
static TillTally
tally_by (const char *sql, const char *column, const char *uuid)
{
  g_auto (GStrv) parts = g_strsplit (sql, "{col}", -1);
  g_autofree char *full = g_strjoinv (column, parts);

  return query_tally (full, uuid);
}

/* What a shift or a day did, from sale, sale_line, payment, sale_return,
 * refund_payment, the journal's voids, drawer_event, cash_movement and
 * sv_top_up, with none of shift_tally. */
static void
recompute_totals (const char *column, const char *uuid, TillShiftTotals *totals)
{
  g_auto (GStrv) parts = NULL;
  g_autofree char *methods_sql = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  till_shift_totals_clear (totals);
  totals->sales =
      tally_by ("SELECT count(*), coalesce(sum(total), 0) FROM sale WHERE {col} = ?", column, uuid);
  totals->gross = tally_by ("SELECT count(*), coalesce(sum(l.amount + l.line_discount + "
                            "l.promotion_discount + l.sale_discount), 0) FROM sale_line l "
                            "JOIN sale s ON s.uuid = l.sale_uuid WHERE s.{col} = ?",
                            column, uuid);
  totals->discounts =
      tally_by ("SELECT count(*), coalesce(sum(d), 0) FROM (SELECT sum(l.line_discount + "
                "l.sale_discount) AS d FROM sale_line l JOIN sale s ON s.uuid = l.sale_uuid "
                "WHERE s.{col} = ? GROUP BY s.uuid) WHERE d <> 0",
                column, uuid);
  totals->promotions =
      tally_by ("SELECT count(*), coalesce(sum(d), 0) FROM (SELECT sum(l.promotion_discount) AS d "
                "FROM sale_line l JOIN sale s ON s.uuid = l.sale_uuid "
                "WHERE s.{col} = ? GROUP BY s.uuid) WHERE d <> 0",
                column, uuid);
  totals->rounding = tally_by ("SELECT count(*), coalesce(sum(rounding), 0) FROM sale "
                               "WHERE {col} = ? AND rounding <> 0",
                               column, uuid);
  totals->returns = tally_by ("SELECT count(*), coalesce(sum(refund_total), 0) FROM sale_return "
                              "WHERE {col} = ?",
                              column, uuid);
  totals->voided_lines =
      tally_by ("SELECT count(*), coalesce(sum(json_extract(CAST(body AS TEXT), '$.line.amount')), "
                "0) FROM journal WHERE kind = 'void-line' "
                "AND json_extract(CAST(body AS TEXT), '$.{col}') = ?",
                column, uuid);
  totals->voided_sales =
      tally_by ("SELECT count(*), coalesce(sum(json_extract(CAST(body AS TEXT), '$.total')), 0) "
                "FROM journal WHERE kind = 'void-sale' "
                "AND json_extract(CAST(body AS TEXT), '$.{col}') = ?",
                column, uuid);
  totals->no_sales = tally_by ("SELECT count(*), 0 FROM drawer_event "
                               "WHERE reason = 'no-sale' AND {col} = ?",
                               column, uuid);
  totals->drawer_opens =
      tally_by ("SELECT count(*), 0 FROM drawer_event WHERE {col} = ?", column, uuid);
  totals->cash_in = tally_by ("SELECT count(*), coalesce(sum(amount), 0) FROM cash_movement "
                              "WHERE kind = 'in' AND {col} = ?",
                              column, uuid);
  totals->cash_out = tally_by ("SELECT count(*), coalesce(sum(amount), 0) FROM cash_movement "
                               "WHERE kind = 'out' AND {col} = ?",
                               column, uuid);
  totals->cash_drops = tally_by ("SELECT count(*), coalesce(sum(amount), 0) FROM cash_movement "
                                 "WHERE kind = 'drop' AND {col} = ?",
                                 column, uuid);
  totals->top_ups = tally_by ("SELECT count(*), coalesce(sum(amount), 0) FROM sv_top_up "
                              "WHERE {col} = ?",
                              column, uuid);

  parts = g_strsplit ("SELECT p.method FROM payment p JOIN sale s ON s.uuid = p.sale_uuid "
                      "WHERE s.{col} = ?1 UNION SELECT f.method FROM refund_payment f "
                      "JOIN sale_return r ON r.uuid = f.return_uuid WHERE r.{col} = ?1 "
                      "UNION SELECT method FROM sv_top_up WHERE {col} = ?1 ORDER BY 1",
                      "{col}", -1);
  methods_sql = g_strjoinv (column, parts);
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), methods_sql, -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      TillTenderTally *tender = g_new0 (TillTenderTally, 1);
      g_autofree char *taken_sql = NULL;
      g_autofree char *refunded_sql = NULL;
      g_autofree char *top_ups_sql = NULL;

      tender->method = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      taken_sql = g_strdup_printf ("SELECT count(*), coalesce(sum(p.amount), 0) FROM payment p "
                                   "JOIN sale s ON s.uuid = p.sale_uuid "
                                   "WHERE s.{col} = ? AND p.method = '%s'",
                                   tender->method);
      refunded_sql =
          g_strdup_printf ("SELECT count(*), coalesce(sum(f.amount), 0) FROM refund_payment f "
                           "JOIN sale_return r ON r.uuid = f.return_uuid "
                           "WHERE r.{col} = ? AND f.method = '%s'",
                           tender->method);
      top_ups_sql = g_strdup_printf ("SELECT count(*), coalesce(sum(amount), 0) FROM sv_top_up "
                                     "WHERE {col} = ? AND method = '%s'",
                                     tender->method);
      tender->taken = tally_by (taken_sql, column, uuid);
      tender->refunded = tally_by (refunded_sql, column, uuid);
      tender->top_ups = tally_by (top_ups_sql, column, uuid);
      g_ptr_array_add (totals->tenders, tender);
    }
}

static void
assert_tally (const char *scope, const char *what, const TillTally *got, const TillTally *want)
{
  ck_assert_msg (got->count == want->count && got->amount == want->amount,
                 "%s %s: got %" PRId64 "/%" PRId64 ", recomputed %" PRId64 "/%" PRId64, scope, what,
                 got->count, got->amount, want->count, want->amount);
}

static void
assert_totals (const char *scope, const TillShiftTotals *got, const TillShiftTotals *want)
{
  assert_tally (scope, "sales", &got->sales, &want->sales);
  assert_tally (scope, "gross", &got->gross, &want->gross);
  assert_tally (scope, "discounts", &got->discounts, &want->discounts);
  assert_tally (scope, "promotions", &got->promotions, &want->promotions);
  assert_tally (scope, "rounding", &got->rounding, &want->rounding);
  assert_tally (scope, "returns", &got->returns, &want->returns);
  assert_tally (scope, "voided_lines", &got->voided_lines, &want->voided_lines);
  assert_tally (scope, "voided_sales", &got->voided_sales, &want->voided_sales);
  assert_tally (scope, "no_sales", &got->no_sales, &want->no_sales);
  assert_tally (scope, "drawer_opens", &got->drawer_opens, &want->drawer_opens);
  assert_tally (scope, "cash_in", &got->cash_in, &want->cash_in);
  assert_tally (scope, "cash_out", &got->cash_out, &want->cash_out);
  assert_tally (scope, "cash_drops", &got->cash_drops, &want->cash_drops);
  assert_tally (scope, "top_ups", &got->top_ups, &want->top_ups);
  ck_assert_msg (got->tenders->len == want->tenders->len, "%s: %u tenders, recomputed %u", scope,
                 got->tenders->len, want->tenders->len);
  for (guint i = 0; i < want->tenders->len; i++)
    {
      const TillTenderTally *expect = g_ptr_array_index (want->tenders, i);
      const TillTenderTally *tender = till_shift_totals_get_tender (got, expect->method);
      g_autofree char       *what = g_strdup_printf ("%s tender %s", scope, expect->method);

      ck_assert_msg (tender != NULL, "%s missing", what);
      assert_tally (what, "taken", &tender->taken, &expect->taken);
      assert_tally (what, "refunded", &tender->refunded, &expect->refunded);
      assert_tally (what, "top_ups", &tender->top_ups, &expect->top_ups);
    }
}

/* The cash a shift's drawer should hold, from the raw rows. */
static gint64
recompute_expected_cash (const char *shift_uuid, gint64 opening_float)
{
  g_auto (TillShiftTotals) totals = { 0 };

  recompute_totals ("shift_uuid", shift_uuid, &totals);
  return till_shift_totals_get_expected_cash (&totals, opening_float);
}

/* --- 1. every total against the raw rows ------------------------------------ */

typedef struct
{
  GRand     *rand;
  GPtrArray *sales; /* TillSale, to return from */
} Day;

static void
fill_cart (Day *day, guint max_lines)
{
  guint n = (guint) g_rand_int_range (day->rand, 1, (gint32) max_lines + 1);

  for (guint i = 0; i < n; i++)
    add ((guint) g_rand_int_range (day->rand, 0, G_N_ELEMENTS (product_ids)),
         g_rand_int_range (day->rand, 1, 4));
}

static void
random_sale (Day *day, TillUser *user)
{
  g_autoptr (GError) error = NULL;
  static const TillRounding rules[] = { TILL_ROUNDING_NONE, TILL_ROUNDING_DROP_FEN,
                                        TILL_ROUNDING_DROP_JIAO };
  gint32                    kind = g_rand_int_range (day->rand, 0, 10);
  TillSale                 *sale;

  fill_cart (day, 4);
  till_cart_set_rounding_rule (cart, rules[g_rand_int_range (day->rand, 0, 3)]);
  if (g_rand_int_range (day->rand, 0, 5) == 0)
    ck_assert_msg (till_cart_set_line_discount (cart, journal, user, 0,
                                                g_rand_int_range (day->rand, 1, 21) * 100,
                                                "damaged", NULL, &error),
                   "%s", error ? error->message : "");
  if (g_rand_int_range (day->rand, 0, 8) == 0)
    ck_assert_msg (till_cart_set_sale_discount (cart, journal, user, 500, "regular", NULL, &error),
                   "%s", error ? error->message : "");
  if (kind < 5)
    sale = sell_cash (user, g_rand_int_range (day->rand, 0, 3) * 1000);
  else if (kind < 8)
    sale = sell_card (user, 0, 0);
  else
    sale = sell_card (user, g_rand_int_range (day->rand, 100, 1000),
                      g_rand_int_range (day->rand, 0, 500));
  g_ptr_array_add (day->sales, sale);
}

static void
random_act (Day *day, TillUser *user)
{
  gint32 act = g_rand_int_range (day->rand, 0, 100);

  if (act < 50)
    random_sale (day, user);
  else if (act < 58)
    {
      fill_cart (day, 1);
      fill_cart (day, 2);
      void_line (user,
                 (guint) g_rand_int_range (day->rand, 0, (gint32) till_cart_get_n_lines (cart)));
      /* The same product twice is one line: nothing may be left to sell. */
      if (till_cart_get_n_lines (cart) > 0)
        g_ptr_array_add (day->sales, sell_cash (user, 0));
    }
  else if (act < 63)
    {
      fill_cart (day, 3);
      void_sale (user);
    }
  else if (act < 78)
    {
      /* A recent sale, partly returned: cash or card by its tenders. */
      for (guint tries = 0; tries < 5 && day->sales->len > 0; tries++)
        if (return_one (user,
                        g_ptr_array_index (
                            day->sales, g_rand_int_range (day->rand, 0, (gint32) day->sales->len))))
          break;
    }
  else if (act < 84)
    no_sale (user);
  else if (act < 96)
    move_cash (user, (TillCashMovementKind) g_rand_int_range (day->rand, 0, 3),
               g_rand_int_range (day->rand, 1, 50) * 100);
  else
    top_up (user, g_rand_int_range (day->rand, 1, 4) * 5000,
            g_rand_boolean (day->rand) ? "cash" : "card");
}

/* One of each act, then @n random ones. */
static void
run_shift (Day *day, TillUser *user, guint n)
{
  fill_cart (day, 3);
  g_ptr_array_add (day->sales, sell_cash (user, 500));
  fill_cart (day, 3);
  g_ptr_array_add (day->sales, sell_card (user, 0, 0));
  add (PROMOTED, 2);
  g_ptr_array_add (day->sales, sell_card (user, 700, 300));
  ck_assert (return_one (user, g_ptr_array_index (day->sales, day->sales->len - 1)));
  ck_assert (return_one (user, g_ptr_array_index (day->sales, day->sales->len - 2)));
  no_sale (user);
  move_cash (user, TILL_CASH_MOVEMENT_IN, 2000);
  move_cash (user, TILL_CASH_MOVEMENT_OUT, 800);
  move_cash (user, TILL_CASH_MOVEMENT_DROP, 10000);
  top_up (user, 10000, "cash");
  for (guint i = 0; i < n; i++)
    random_act (day, user);
}

/* Closes @shift counting @variance off what the raw rows say it holds;
 * checks the close report (and its reprint) against the raw rows. */
static void
close_and_check (TillShift *shift, TillUser *user, gint64 variance, gboolean handover)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShiftReport) report = NULL;
  g_autoptr (TillShiftReport) reprint = NULL;
  g_auto (TillShiftTotals) want = { 0 };
  const char *uuid = till_shift_get_uuid (shift);
  gint64      expected = recompute_expected_cash (uuid, till_shift_get_opening_float (shift));
  /* The smallest coin is 1 jiao: the drawer cannot hold the fen. */
  gint64 counted = (expected + variance) / 10 * 10;

  begin_close (user);
  record_count (user, counted);
  finish_close (user, handover, NULL, NULL);

  report = till_shift_close_report (store, uuid, &error);
  ck_assert_msg (report != NULL, "%s", error ? error->message : "");
  recompute_totals ("shift_uuid", uuid, &want);
  assert_totals (uuid, &report->totals, &want);
  ck_assert_int_eq (report->kind, TILL_SHIFT_REPORT_CLOSE);
  ck_assert_str_eq (report->shift_uuid, uuid);
  ck_assert_str_eq (report->user_code, till_user_get_code (user));
  ck_assert_int_eq (report->opening_float, till_shift_get_opening_float (shift));
  ck_assert_int_eq (report->expected, expected);
  ck_assert_int_eq (report->counted, counted);
  ck_assert_int_eq (report->variance, counted - expected);
  ck_assert_int_eq (till_cash_count_get_total (&report->count), counted);
  ck_assert (report->handover == handover);
  ck_assert_int_gt (report->closed_us, 0);
  ck_assert_int_eq (report->created_us, report->closed_us);

  reprint = till_shift_close_report (store, uuid, &error);
  ck_assert_ptr_nonnull (reprint);
  ck_assert_int_eq (reprint->created_us, report->created_us);
  ck_assert_int_eq (reprint->totals.sales.amount, report->totals.sales.amount);
  ck_assert_int_eq (reprint->expected, report->expected);

  /* What HQ receives names the shift and carries the same figures. */
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM outbox WHERE kind = 'shift' AND ref_uuid = ?", uuid), 1);
  ck_assert_int_eq (query_int ("SELECT json_extract(CAST(payload AS TEXT), "
                               "'$.shift.totals.sales.amount') FROM outbox "
                               "WHERE kind = 'shift' AND ref_uuid = ?",
                               uuid),
                    want.sales.amount);
  ck_assert_int_eq (query_int ("SELECT json_extract(CAST(payload AS TEXT), '$.shift.expected') "
                               "FROM outbox WHERE kind = 'shift' AND ref_uuid = ?",
                               uuid),
                    expected);
}

/* /core/shift/totals-match-raw-rows: a seeded day of several hundred acts in
 * three shifts (with a handover and sales outside any shift): every figure
 * of every close report and of the Z equals SQL over the raw rows */
START_TEST (test_totals_match_raw_rows)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);
  g_autoptr (GPtrArray) sales = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (TillShift) first = NULL;
  g_autoptr (TillShift) second = NULL;
  g_autoptr (TillShift) third = NULL;
  g_autoptr (TillShiftReport) z = NULL;
  g_autoptr (TillShiftReport) reprint = NULL;
  g_auto (TillShiftTotals) want = { 0 };
  g_autofree char *day_uuid = NULL;
  Day              day = { rand, sales };
  TillShift       *shifts[3];

  first = open_shift (supervisor, 50000);
  run_shift (&day, supervisor, 110);
  close_and_check (first, supervisor, 30, TRUE);

  second = till_shift_open_accepting_handover (store, journal, supervisor_b, &error);
  ck_assert_msg (second != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (
      till_shift_get_opening_float (second),
      query_int ("SELECT counted FROM shift WHERE uuid = ?", till_shift_get_uuid (first)));
  run_shift (&day, supervisor_b, 110);
  close_and_check (second, supervisor_b, -200, FALSE);

  /* Between shifts the till still sells; the day counts it. */
  fill_cart (&day, 2);
  g_ptr_array_add (sales, sell_cash (supervisor_c, 0));
  fill_cart (&day, 2);
  g_ptr_array_add (sales, sell_card (supervisor_c, 0, 0));

  third = open_shift (supervisor_c, 30000);
  run_shift (&day, supervisor_c, 80);
  close_and_check (third, supervisor_c, 0, FALSE);

  z = till_shift_z_report (store, journal, supervisor, NULL, &error);
  ck_assert_msg (z != NULL, "%s", error ? error->message : "");
  day_uuid = g_strdup (till_shift_get_day_uuid (first));
  ck_assert_str_eq (z->day_uuid, day_uuid);
  ck_assert_str_eq (till_shift_get_day_uuid (third), day_uuid);
  recompute_totals ("day_uuid", day_uuid, &want);
  assert_totals ("day", &z->totals, &want);
  ck_assert_int_eq (z->z_no, 1);
  ck_assert_int_eq (z->totals.sales.amount,
                    query_int ("SELECT sum(total) FROM sale WHERE day_uuid = ?", day_uuid));
  ck_assert_int_eq (z->grand_sales, want.sales.amount);
  ck_assert_int_eq (z->grand_returns, want.returns.amount);
  ck_assert_int_eq (z->grand_total, want.sales.amount - want.returns.amount);
  ck_assert_int_eq (
      z->outside_sales.count,
      query_int ("SELECT count(*) FROM sale WHERE day_uuid = ? AND shift_uuid IS NULL", day_uuid));
  ck_assert_int_eq (z->outside_sales.amount,
                    query_int ("SELECT coalesce (sum (total), 0) FROM sale "
                               "WHERE day_uuid = ? AND shift_uuid IS NULL",
                               day_uuid));
  ck_assert_int_eq (z->outside_sales.count, 2);
  /* Every sale, return and act of the day names the day. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale WHERE day_uuid IS NOT ?", day_uuid), 0);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM sale_return WHERE day_uuid IS NOT ?", day_uuid), 0);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM drawer_event WHERE day_uuid IS NOT ?", day_uuid), 0);
  ck_assert_int_ge (want.sales.count, 120);

  shifts[0] = first;
  shifts[1] = second;
  shifts[2] = third;
  ck_assert_uint_eq (z->shifts->len, 3);
  for (guint i = 0; i < 3; i++)
    {
      const TillShiftSummary *summary = g_ptr_array_index (z->shifts, i);
      const char             *uuid = till_shift_get_uuid (shifts[i]);

      ck_assert_str_eq (summary->uuid, uuid);
      ck_assert_int_eq (summary->sales_total,
                        query_int ("SELECT sum(total) FROM sale WHERE shift_uuid = ?", uuid));
      ck_assert_int_eq (summary->expected,
                        query_int ("SELECT expected FROM shift WHERE uuid = ?", uuid));
      ck_assert_int_eq (summary->counted,
                        query_int ("SELECT counted FROM shift WHERE uuid = ?", uuid));
      ck_assert_int_eq (summary->variance, summary->counted - summary->expected);
    }

  reprint = till_shift_load_z_report (store, 1, &error);
  ck_assert_msg (reprint != NULL, "%s", error ? error->message : "");
  assert_totals ("reprint", &reprint->totals, &want);
  ck_assert_int_eq (reprint->grand_total, z->grand_total);
  ck_assert_int_eq (reprint->created_us, z->created_us);
  ck_assert_int_eq (reprint->outside_sales.count, z->outside_sales.count);
  ck_assert_int_eq (reprint->outside_sales.amount, z->outside_sales.amount);
  ck_assert_uint_eq (reprint->shifts->len, 3);
  ck_assert (till_journal_verify (journal, NULL, &error));
}
END_TEST

/* --- 2. handover ------------------------------------------------------------- */

/* /core/shift/handover: A's sales are in A's report only, B's in B's; B's
 * float is what A counted; a fresh count takes a pending handover and
 * shows both */
START_TEST (test_handover)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) a = open_shift (cashier, 10000);
  g_autoptr (TillShift) b = NULL;
  g_autoptr (TillShift) c = NULL;
  g_autoptr (TillShift) b_closed = NULL;
  g_autoptr (TillSale) a_sale = NULL;
  g_autoptr (TillSale) b_sale = NULL;
  g_autoptr (TillShiftReport) a_report = NULL;
  g_autoptr (TillShiftReport) b_report = NULL;
  g_autoptr (TillShiftReport) c_report = NULL;
  g_autofree char *name = NULL;
  gint64           amount = 0;

  ck_assert (!till_shift_get_pending_handover (store, &amount, &name, &error));
  ck_assert_ptr_null (error);
  b = till_shift_open_accepting_handover (store, journal, cashier_b, &error);
  ck_assert_ptr_null (b);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_ALREADY_OPEN));
  g_clear_error (&error);

  add (1, 1);
  a_sale = sell_cash (cashier, 720); /* ¥12.80 of ¥20 */
  begin_close (cashier);
  record_count (cashier, 11280);
  finish_close (cashier, TRUE, NULL, NULL);
  ck_assert (till_shift_get_pending_handover (store, &amount, &name, &error));
  ck_assert_int_eq (amount, 11280);
  ck_assert_str_eq (name, "张三");

  b = till_shift_open_accepting_handover (store, journal, cashier_b, &error);
  ck_assert_msg (b != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_shift_get_opening_float (b), 11280);
  ck_assert_str_eq (till_shift_get_handover_from (b), till_shift_get_uuid (a));
  ck_assert_int_eq (till_cash_count_get_total (till_shift_get_float_count (b)), 0);
  ck_assert (!till_shift_get_pending_handover (store, NULL, NULL, &error));
  /* Accepting a float opens no drawer; a fresh count does. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM drawer_event WHERE reason = 'count' AND "
                               "shift_uuid = ?",
                               till_shift_get_uuid (b)),
                    0);

  add (0, 1);
  b_sale = sell_cash (cashier_b, 0);
  b_report = till_shift_x_report (store, journal, cashier_b, NULL, &error);
  ck_assert_msg (b_report != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (b_report->totals.sales.count, 1);
  ck_assert_int_eq (b_report->totals.sales.amount, 350);
  ck_assert_int_eq (b_report->handed_over, 11280);
  ck_assert_int_eq (b_report->opening_float, 11280);
  ck_assert_int_eq (b_report->counted, -1);
  a_report = till_shift_close_report (store, till_shift_get_uuid (a), &error);
  ck_assert_int_eq (a_report->totals.sales.count, 1);
  ck_assert_int_eq (a_report->totals.sales.amount, 1280);
  ck_assert_int_eq (a_report->handed_over, -1);
  ck_assert (a_report->handover);
  ck_assert_int_eq (a_report->expected, 11280);

  /* B hands over 11,630; C counts 11,600 afresh: C's report shows both. */
  begin_close (cashier_b);
  record_count (cashier_b, 11630);
  finish_close (cashier_b, TRUE, NULL, NULL);
  c = open_shift (cashier, 11600);
  ck_assert_int_eq (till_shift_get_opening_float (c), 11600);
  ck_assert_str_eq (till_shift_get_handover_from (c), till_shift_get_uuid (b));
  ck_assert (!till_shift_get_pending_handover (store, NULL, NULL, &error));
  b_closed = till_shift_load (store, till_shift_get_uuid (b), &error);
  ck_assert_int_eq (till_shift_get_state (b_closed), TILL_SHIFT_STATE_CLOSED);
  ck_assert_int_eq (
      query_int ("SELECT handover_taken FROM shift WHERE uuid = ?", till_shift_get_uuid (b)), 1);
  c_report = till_shift_x_report (store, journal, cashier, NULL, &error);
  ck_assert_int_eq (c_report->handed_over, 11630);
  ck_assert_int_eq (c_report->opening_float, 11600);
  ck_assert_int_eq (c_report->totals.sales.count, 0);
  ck_assert_int_eq (c_report->totals.drawer_opens.count, 1);
}
END_TEST

/* --- 3. killed mid-close ------------------------------------------------------ */

/* In the child: the close's steps as the till runs them after a restart,
 * then again in a loop until killed; never returns. */
static void G_GNUC_NORETURN
child_close (guint32 seed, gboolean kill_self)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint         kill_at = (guint) g_rand_int_range (rand, 0, 4);
  guint         step = 0;
  TillCashCount count = count_for (20000);

  open_store ();
  for (;;)
    {
      g_autoptr (TillShift) shift = till_shift_get_current (store, NULL);
      g_autoptr (TillUser) user = till_user_authenticate (store, "1001", "1234", NULL);

      if (kill_self && step++ == kill_at)
        raise (SIGKILL);
      if (shift == NULL)
        _exit (0);
      till_shift_begin_close (store, journal, user, NULL, NULL);
      if (kill_self && step++ == kill_at)
        raise (SIGKILL);
      if (till_shift_get_counted (shift) < 0)
        till_shift_record_count (store, journal, user, &count, NULL);
      if (kill_self && step++ == kill_at)
        raise (SIGKILL);
      till_shift_finish_close (store, journal, user, FALSE, "recount", &manager_override, NULL);
    }
}

/* /core/shift/killed-mid-close: a till killed at random moments of the
 * close resumes: the database is sound, the shift closing or closed, sales
 * refused while closing, the close completes, one "shift-close" entry */
START_TEST (test_killed_mid_close)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  guint resumed = 0;

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillShift) shift = open_shift (cashier, 20000);
      g_autoptr (TillShift) after = NULL;
      g_autoptr (TillSale) sale = NULL;
      g_autofree char *integrity = NULL;
      g_autofree char *uuid = g_strdup (till_shift_get_uuid (shift));
      gboolean         kill_self = round % 2 == 0;
      pid_t            pid;
      int              status = 0;

      add (1, 1);
      sale = sell_cash (cashier, 0);
      begin_close (cashier);
      close_store ();

      pid = fork ();
      ck_assert_int_ge (pid, 0);
      if (pid == 0)
        child_close ((guint32) g_rand_int (rand), kill_self);
      if (!kill_self)
        {
          g_usleep ((gulong) g_rand_int_range (rand, 0, 40000));
          kill (pid, SIGKILL);
        }
      ck_assert_int_eq (waitpid (pid, &status, 0), pid);

      open_store ();
      integrity = query_text ("PRAGMA integrity_check", NULL);
      ck_assert_str_eq (integrity, "ok");
      after = till_shift_load (store, uuid, &error);
      ck_assert_msg (after != NULL, "%s", error ? error->message : "");
      ck_assert (till_shift_get_state (after) != TILL_SHIFT_STATE_OPEN);
      if (till_shift_get_state (after) == TILL_SHIFT_STATE_CLOSING)
        {
          g_autoptr (TillSale) refused = NULL;

          resumed++;
          add (0, 1);
          refused = till_sale_commit_cash (cart, journal, cashier, 1000, &error);
          ck_assert_ptr_null (refused);
          ck_assert_msg (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_CLOSING), "%s",
                         error ? error->message : "");
          g_clear_error (&error);
          ck_assert (till_cart_clear (cart, &error));
          begin_close (cashier);
          if (till_shift_get_counted (after) < 0)
            record_count (cashier, 20000 + 1280);
          finish_close (cashier, FALSE, "recount", &manager_override);
        }
      g_clear_object (&after);
      after = till_shift_load (store, uuid, &error);
      ck_assert_int_eq (till_shift_get_state (after), TILL_SHIFT_STATE_CLOSED);
      ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'shift-close' "
                                   "AND ref_uuid = ?",
                                   uuid),
                        1);
      ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'shift-count' "
                                   "AND ref_uuid = ?",
                                   uuid),
                        1);
      ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'shift' "
                                   "AND ref_uuid = ?",
                                   uuid),
                        1);
      ck_assert (till_journal_verify (journal, NULL, &error));
    }
  ck_assert_int_eq (query_int ("SELECT count(*) FROM shift WHERE state <> 'closed'", NULL), 0);
  /* The kills did land in the middle of closes. */
  ck_assert_uint_gt (resumed, 0);
}
END_TEST

/* --- 4. the blind count and the variance -------------------------------------- */

/* /core/shift/variance: the count is taken once; within the threshold the
 * shift closes unapproved; above it a cashier needs a reason and a
 * supervisor, whose code is recorded */
START_TEST (test_variance)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) first = open_shift (cashier, 10000);
  g_autoptr (TillShift) second = NULL;
  g_autoptr (TillShift) third = NULL;
  g_autoptr (TillShift) fourth = NULL;
  g_autoptr (TillShift) closing = NULL;
  g_autoptr (TillSale) sale = NULL;
  TillCashCount count = count_for (10300);

  /* Not before the close began, not finished before the count. */
  ck_assert (!till_shift_record_count (store, journal, cashier, &count, &error));
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_CLOSING));
  g_clear_error (&error);
  begin_close (cashier);
  begin_close (cashier); /* resumed: no second entry */
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM journal WHERE kind = 'shift-close-begin'", NULL), 1);
  ck_assert (!till_shift_finish_close (store, journal, cashier, FALSE, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_COUNTED));
  g_clear_error (&error);
  count.pieces[TILL_DENOMINATION_NOTE_1] = -1;
  ck_assert (!till_shift_record_count (store, journal, cashier, &count, &error));
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_BAD_AMOUNT));
  g_clear_error (&error);

  record_count (cashier, 10300);
  count = count_for (10000);
  ck_assert (!till_shift_record_count (store, journal, cashier, &count, &error));
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_COUNTED));
  g_clear_error (&error);
  closing = current ();
  ck_assert_int_eq (till_shift_get_counted (closing), 10300);
  ck_assert_int_eq (till_shift_get_expected (closing), 10000);
  ck_assert_int_eq (till_shift_get_variance (closing), 300);
  ck_assert (!till_shift_variance_needs_approval (store, closing));
  finish_close (cashier, FALSE, NULL, NULL);
  ck_assert_int_eq (query_int ("SELECT approved_by IS NULL FROM shift WHERE uuid = ?",
                               till_shift_get_uuid (first)),
                    1);

  /* ¥12.80 short. */
  second = open_shift (cashier, 10000);
  add (1, 1);
  sale = sell_cash (cashier, 0);
  begin_close (cashier);
  record_count (cashier, 10000);
  g_clear_object (&closing);
  closing = current ();
  ck_assert_int_eq (till_shift_get_variance (closing), -1280);
  ck_assert (till_shift_variance_needs_approval (store, closing));
  ck_assert (
      !till_shift_finish_close (store, journal, cashier, FALSE, "miscounted change", NULL, &error));
  ck_assert_msg (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED), "%s",
                 error->message);
  g_clear_error (&error);
  ck_assert (
      !till_shift_finish_close (store, journal, cashier, FALSE, "  ", &manager_override, &error));
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_REASON));
  g_clear_error (&error);
  g_clear_object (&closing);
  closing = current ();
  ck_assert_int_eq (till_shift_get_state (closing), TILL_SHIFT_STATE_CLOSING);
  finish_close (cashier, FALSE, "miscounted change", &manager_override);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM shift WHERE uuid = ? AND approved_by = '9001' "
                               "AND variance_reason = 'miscounted change' AND state = 'closed'",
                               till_shift_get_uuid (second)),
                    1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'override'", NULL), 1);

  /* A supervisor accepts their own variance: their code is recorded. */
  third = open_shift (supervisor, 10000);
  begin_close (supervisor);
  record_count (supervisor, 9000);
  finish_close (supervisor, FALSE, "coin jar", NULL);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM shift WHERE uuid = ? AND approved_by = '2001'",
                               till_shift_get_uuid (third)),
                    1);

  /* The store's threshold. */
  ck_assert (till_store_set_setting (store, "shift.variance-threshold", "2000", &error));
  fourth = open_shift (cashier, 10000);
  begin_close (cashier);
  record_count (cashier, 8500);
  finish_close (cashier, FALSE, NULL, NULL);
  ck_assert_int_eq (
      query_int ("SELECT state = 'closed' FROM shift WHERE uuid = ?", till_shift_get_uuid (fourth)),
      1);
}
END_TEST

/* --- 5. cash movements --------------------------------------------------------- */

static void
refuse_movement (TillUser            *user,
                 TillCashMovementKind kind,
                 gint64               amount,
                 const char          *reason,
                 const TillOverride  *override,
                 GQuark               domain,
                 int                  code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid =
      till_shift_move_cash (store, journal, user, kind, amount, reason, override, &error);

  ck_assert_ptr_null (uuid);
  ck_assert_msg (g_error_matches (error, domain, code), "%s", error ? error->message : "no error");
}

/* /core/shift/cash-movements: a cashier's payout needs a supervisor, a drop
 * does not; bad amounts and empty reasons are refused with nothing written */
START_TEST (test_cash_movements)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  g_autoptr (TillShiftReport) report = NULL;
  g_autofree char *in_uuid = NULL;
  g_autofree char *out_uuid = NULL;
  g_autofree char *drop_uuid = NULL;
  g_autofree char *approved = NULL;

  refuse_movement (cashier, TILL_CASH_MOVEMENT_DROP, 100, "safe", NULL, TILL_SHIFT_ERROR,
                   TILL_SHIFT_ERROR_NOT_OPEN);
  shift = open_shift (cashier, 20000);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_OUT, 1500, "milk supplier", NULL,
                   TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_IN, 1500, "change", NULL, TILL_PERMISSION_ERROR,
                   TILL_PERMISSION_ERROR_DENIED);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_DROP, 0, "safe", NULL, TILL_SHIFT_ERROR,
                   TILL_SHIFT_ERROR_BAD_AMOUNT);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_DROP, -500, "safe", NULL, TILL_SHIFT_ERROR,
                   TILL_SHIFT_ERROR_BAD_AMOUNT);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_DROP, G_GINT64_CONSTANT (1000000001), "safe", NULL,
                   TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_BAD_AMOUNT);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_DROP, 100, " \t", NULL, TILL_SHIFT_ERROR,
                   TILL_SHIFT_ERROR_REASON);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_OUT, 100, NULL, &manager_override, TILL_SHIFT_ERROR,
                   TILL_SHIFT_ERROR_REASON);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cash_movement", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM drawer_event WHERE reason = 'cash'", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'cash-movement'", NULL),
                    0);

  out_uuid = till_shift_move_cash (store, journal, cashier, TILL_CASH_MOVEMENT_OUT, 1500,
                                   "milk supplier", &manager_override, &error);
  ck_assert_msg (out_uuid != NULL, "%s", error ? error->message : "");
  in_uuid = till_shift_move_cash (store, journal, cashier, TILL_CASH_MOVEMENT_IN, 5000,
                                  " change from bank ", &manager_override, &error);
  ck_assert_msg (in_uuid != NULL, "%s", error ? error->message : "");
  drop_uuid = till_shift_move_cash (store, journal, cashier, TILL_CASH_MOVEMENT_DROP, 10000, "safe",
                                    NULL, &error);
  ck_assert_msg (drop_uuid != NULL, "%s", error ? error->message : "");

  approved = query_text ("SELECT approved_by FROM cash_movement WHERE uuid = ?", out_uuid);
  ck_assert_str_eq (approved, TILL_DEMO_MANAGER_CODE);
  ck_assert_int_eq (
      query_int ("SELECT approved_by IS NULL FROM cash_movement WHERE uuid = ?", drop_uuid), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cash_movement WHERE uuid = ? AND "
                               "reason = 'change from bank' AND kind = 'in' AND amount = 5000",
                               in_uuid),
                    1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM drawer_event WHERE reason = 'cash'", NULL), 3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'cash-movement' AND "
                               "json_extract(CAST(payload AS TEXT), '$.cash_movement.uuid') = "
                               "ref_uuid",
                               NULL),
                    3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal j JOIN cash_movement m "
                               "ON m.journal_seq = j.seq AND j.ref_uuid = m.uuid "
                               "WHERE j.kind = 'cash-movement'",
                               NULL),
                    3);

  /* Another cashier may not read this shift's X report alone. */
  report = till_shift_x_report (store, journal, cashier_b, NULL, &error);
  ck_assert_ptr_null (report);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_YOURS));
  g_clear_error (&error);
  report = till_shift_x_report (store, journal, manager, NULL, &error);
  ck_assert_msg (report != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (report->totals.cash_out.count, 1);
  ck_assert_int_eq (report->totals.cash_out.amount, 1500);
  ck_assert_int_eq (report->totals.cash_in.amount, 5000);
  ck_assert_int_eq (report->totals.cash_drops.amount, 10000);
  ck_assert_int_eq (report->totals.drawer_opens.count, 4); /* the float and three movements */
  ck_assert_int_eq (till_shift_totals_get_expected_cash (&report->totals, report->opening_float),
                    20000 - 1500 + 5000 - 10000);

  begin_close (cashier);
  refuse_movement (cashier, TILL_CASH_MOVEMENT_DROP, 100, "safe", NULL, TILL_SHIFT_ERROR,
                   TILL_SHIFT_ERROR_CLOSING);
}
END_TEST

/* --- 6. the Z report ---------------------------------------------------------- */

static TillShiftReport *
take_z (void)
{
  g_autoptr (GError) error = NULL;
  TillShiftReport *z = till_shift_z_report (store, journal, manager, NULL, &error);

  ck_assert_msg (z != NULL, "%s", error ? error->message : "");
  return z;
}

/* /core/shift/z-report: refused with a shift open or without the right;
 * numbers never reset; grand totals carry; z_report rows never change; one
 * journal entry and one outbox document each; an empty day gets its Z */
START_TEST (test_z_report)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = open_shift (supervisor, 10000);
  g_autoptr (TillShiftReport) z1 = NULL;
  g_autoptr (TillShiftReport) z2 = NULL;
  g_autoptr (TillShiftReport) z3 = NULL;
  g_autoptr (TillShiftReport) again = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) outside = NULL;
  g_autofree char *refund = NULL;
  char            *message = NULL;
  gint64           refunded;

  ck_assert_int_eq (till_shift_get_last_z_no (store, &error), 0);
  z1 = till_shift_z_report (store, journal, manager, NULL, &error);
  ck_assert_ptr_null (z1);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_SHIFT_OPEN));
  g_clear_error (&error);

  add (1, 2);
  sale = sell_cash (supervisor, 0);
  ck_assert (return_one (supervisor, sale));
  refunded = query_int ("SELECT refund_total FROM sale_return", NULL);
  begin_close (supervisor);
  record_count (supervisor, 10000 + 2560 - refunded);
  finish_close (supervisor, TRUE, NULL, NULL);
  ck_assert (till_shift_get_pending_handover (store, NULL, NULL, &error));

  z1 = till_shift_z_report (store, journal, cashier, NULL, &error);
  ck_assert_ptr_null (z1);
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  z1 = take_z ();
  ck_assert_int_eq (z1->z_no, 1);
  ck_assert_int_eq (z1->totals.sales.amount, 2560);
  ck_assert_int_eq (z1->totals.returns.amount, refunded);
  ck_assert_int_eq (z1->grand_sales, 2560);
  ck_assert_int_eq (z1->grand_returns, refunded);
  ck_assert_int_eq (z1->grand_total, 2560 - refunded);
  ck_assert_int_eq (z1->outside_sales.count, 0);
  ck_assert_uint_eq (z1->shifts->len, 1);
  /* The handed-over float does not outlive its day. */
  ck_assert (!till_shift_get_pending_handover (store, NULL, NULL, &error));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM business_day WHERE z_no IS NULL", NULL), 0);

  /* Day 2 has nothing in it. */
  z2 = take_z ();
  ck_assert_int_eq (z2->z_no, 2);
  ck_assert_int_eq (z2->totals.sales.count, 0);
  ck_assert_int_eq (z2->grand_total, z1->grand_total);
  ck_assert_int_eq (z2->grand_sales, 2560);
  ck_assert_uint_eq (z2->shifts->len, 0);
  ck_assert_str_ne (z2->day_uuid, z1->day_uuid);

  /* Day 3: a sale with no shift open. */
  add (0, 1);
  outside = sell_cash (cashier, 0);
  z3 = take_z ();
  ck_assert_int_eq (z3->z_no, 3);
  ck_assert_int_eq (z3->totals.sales.amount, 350);
  ck_assert_int_eq (z3->outside_sales.count, 1);
  ck_assert_int_eq (z3->grand_sales, 2560 + 350);
  ck_assert_int_eq (z3->grand_returns, refunded);
  ck_assert_int_eq (z3->grand_total, 2560 + 350 - refunded);
  ck_assert_int_eq (till_shift_get_last_z_no (store, &error), 3);
  ck_assert_int_eq (query_int ("SELECT count(DISTINCT day_uuid) FROM sale", NULL), 2);

  again = till_shift_load_z_report (store, 1, &error);
  ck_assert_msg (again != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (again->grand_total, z1->grand_total);
  ck_assert_int_eq (again->totals.returns.amount, refunded);
  ck_assert_int_eq (again->created_us, z1->created_us);
  ck_assert_str_eq (again->user_code, TILL_DEMO_MANAGER_CODE);
  g_clear_pointer (&again, till_shift_report_free);
  again = till_shift_load_z_report (store, 4, &error);
  ck_assert_ptr_null (again);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_FOUND));
  g_clear_error (&error);

  ck_assert_int_ne (sqlite3_exec (till_store_get_db (store),
                                  "UPDATE z_report SET grand_total = 0 WHERE z_no = 1", NULL, NULL,
                                  &message),
                    SQLITE_OK);
  sqlite3_free (message);
  message = NULL;
  ck_assert_int_ne (
      sqlite3_exec (till_store_get_db (store), "DELETE FROM z_report", NULL, NULL, &message),
      SQLITE_OK);
  sqlite3_free (message);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM z_report", NULL), 3);

  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal j JOIN z_report z "
                               "ON z.journal_seq = j.seq AND z.uuid = j.ref_uuid "
                               "WHERE j.kind = 'z-report'",
                               NULL),
                    3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'z-report'", NULL), 3);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM outbox o JOIN z_report z ON z.uuid = o.ref_uuid "
                 "WHERE o.kind = 'z-report' AND json_extract(CAST(o.payload AS TEXT), "
                 "'$.z_report.grand_total') = z.grand_total AND "
                 "json_extract(CAST(o.payload AS TEXT), '$.z_report.z_no') = z.z_no",
                 NULL),
      3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'z-report'", NULL), 3);
  refund = query_text ("SELECT json_extract(CAST(payload AS TEXT), '$.z_report.day_uuid') FROM "
                       "outbox WHERE kind = 'z-report' ORDER BY seq LIMIT 1",
                       NULL);
  ck_assert_str_eq (refund, z1->day_uuid);
}
END_TEST

/* --- 7. selling while closing ---------------------------------------------------- */

/* /core/shift/closing-stops-selling: a sale, a return, a top-up and a
 * no-sale are refused while the shift closes, with nothing written; the
 * close does not begin while a sale is on the till */
START_TEST (test_closing_stops_selling)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = open_shift (supervisor, 10000);
  g_autoptr (TillShift) still = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) refused = NULL;
  g_autoptr (TillReturn) ret = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  gint64 journal_before;

  add (1, 1);
  sale = sell_cash (supervisor, 0);
  add (0, 1);
  ck_assert (!till_shift_begin_close (store, journal, supervisor, NULL, &error));
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_SALE_OPEN));
  g_clear_error (&error);
  still = current ();
  ck_assert_int_eq (till_shift_get_state (still), TILL_SHIFT_STATE_OPEN);
  void_line (supervisor, 0);

  /* Another cashier may not close it without a supervisor. */
  ck_assert (!till_shift_begin_close (store, journal, cashier, NULL, &error));
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_YOURS));
  g_clear_error (&error);

  begin_close (supervisor);
  add (0, 1);
  journal_before = query_int ("SELECT count(*) FROM journal", NULL);
  refused = till_sale_commit_cash (cart, journal, supervisor, 1000, &error);
  ck_assert_ptr_null (refused);
  ck_assert_msg (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_CLOSING), "%s",
                 error ? error->message : "");
  g_clear_error (&error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale", NULL), 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  /* Clearing the till for the close is allowed. */
  void_sale (supervisor);

  ret = till_return_new_with_receipt (store, sale, &error);
  ck_assert (till_return_pick_all (ret, &error));
  ck_assert (!till_return_commit (ret, journal, supervisor, NULL, &error));
  ck_assert_msg (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_CLOSING), "%s",
                 error ? error->message : "");
  g_clear_error (&error);
  account = till_stored_value_top_up (store, journal, supervisor, MEMBER_ID, 5000, "cash", &error);
  ck_assert_ptr_null (account);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_CLOSING));
  g_clear_error (&error);
  ck_assert_int_eq (till_drawer_open_no_sale (store, journal, supervisor, "change", NULL, &error),
                    0);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_CLOSING));
  g_clear_error (&error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale_return", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_top_up", NULL), 0);
  /* Only the void and its tallies were written since the close began. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal", NULL), journal_before + 1);

  record_count (supervisor, 11280);
  finish_close (supervisor, FALSE, NULL, NULL);
  /* With the shift closed the till sells again, counted in the day only. */
  add (0, 1);
  g_clear_object (&refused);
  refused = sell_cash (supervisor, 0);
  ck_assert_int_eq (query_int ("SELECT shift_uuid IS NULL FROM sale WHERE uuid = ?",
                               till_sale_get_uuid (refused)),
                    1);
}
END_TEST

/* /core/shift/basics: counts, denominations and the open shift's state */
/* An empty float and an empty drawer are counted without opening the
 * drawer: the log of openings says only what happened. */
START_TEST (test_empty_drawer)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  TillCashCount count = { { 0 } };

  shift = till_shift_open (store, journal, cashier, &count, &error);
  ck_assert_msg (shift != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_shift_get_opening_float (shift), 0);
  ck_assert (till_shift_begin_close (store, journal, cashier, NULL, &error));
  ck_assert_msg (till_shift_record_count (store, journal, cashier, &count, &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (till_shift_finish_close (store, journal, cashier, FALSE, NULL, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM drawer_event", NULL), 0);
}
END_TEST

START_TEST (test_basics)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  g_autoptr (TillShift) again = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *float_count = NULL;
  TillCashCount    count = { { 0 } };

  count.pieces[TILL_DENOMINATION_NOTE_100] = 2;
  count.pieces[TILL_DENOMINATION_COIN_1] = 3;
  count.pieces[TILL_DENOMINATION_COIN_10_FEN] = 4;
  ck_assert_int_eq (till_cash_count_get_total (&count), 20340);
  ck_assert_ptr_null (current ());

  shift = till_shift_open (store, journal, cashier, &count, &error);
  ck_assert_msg (shift != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_shift_get_state (shift), TILL_SHIFT_STATE_OPEN);
  ck_assert_int_eq (till_shift_get_opening_float (shift), 20340);
  ck_assert_int_eq (till_shift_get_float_count (shift)->pieces[TILL_DENOMINATION_COIN_1], 3);
  ck_assert_int_eq (till_shift_get_counted (shift), -1);
  ck_assert_str_eq (till_shift_get_user_name (shift), "张三");
  float_count = query_text ("SELECT float_count FROM shift", NULL);
  ck_assert_str_eq (float_count,
                    "{\"note-100\":2,\"note-50\":0,\"note-20\":0,\"note-10\":0,"
                    "\"note-5\":0,\"note-1\":0,\"coin-1\":3,\"coin-50\":0,\"coin-10\":4}");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM drawer_event WHERE reason = 'count' AND "
                               "shift_uuid = ?",
                               till_shift_get_uuid (shift)),
                    1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'shift-open' AND "
                               "ref_uuid = ?",
                               till_shift_get_uuid (shift)),
                    1);

  again = till_shift_open (store, journal, cashier_b, &count, &error);
  ck_assert_ptr_null (again);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_ALREADY_OPEN));
  g_clear_error (&error);
  count.pieces[0] = -1;
  again = till_shift_open (store, journal, cashier_b, &count, &error);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_BAD_AMOUNT));
  g_clear_error (&error);

  again = current ();
  ck_assert_str_eq (till_shift_get_uuid (again), till_shift_get_uuid (shift));
  list = till_shift_list (store, 0, &error);
  ck_assert_uint_eq (list->len, 1);
  g_clear_object (&again);
  again = till_shift_load (store, "no-such-shift", &error);
  ck_assert (g_error_matches (error, TILL_SHIFT_ERROR, TILL_SHIFT_ERROR_NOT_FOUND));
}
END_TEST

static Suite *
shift_suite (void)
{
  Suite *suite = suite_create ("shift");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_basics);
  tcase_add_test (tc, test_empty_drawer);
  tcase_add_test (tc, test_totals_match_raw_rows);
  tcase_add_test (tc, test_handover);
  tcase_add_test (tc, test_killed_mid_close);
  tcase_add_test (tc, test_variance);
  tcase_add_test (tc, test_cash_movements);
  tcase_add_test (tc, test_z_report);
  tcase_add_test (tc, test_closing_stops_selling);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (shift_suite ());
}
