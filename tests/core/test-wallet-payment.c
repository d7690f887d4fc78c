/* test-wallet-payment.c: tests for src/core/till-wallet-payment.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* Says which error came instead, when another did. */
#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillUser    *manager;
static TillCart    *cart;
static gint64       cola_id;

static void
open_all (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  manager = till_user_authenticate (store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
}

static void
close_all (void)
{
  g_clear_object (&cart);
  g_clear_object (&manager);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = "C001",
    .name = "可口可乐 330ml",
    .unit = "罐",
    .price = 350,
    .cost = 175,
    .vat_rate = 1300,
    .active = TRUE,
  };

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  ck_assert (till_store_set_setting (store, "till.id", "S01-T02", &error));
  catalog = till_catalog_new (store);
  cola_id = till_catalog_add_product (catalog, &spec, &error);
  ck_assert_msg (cola_id > 0, "%s", error ? error->message : "");
  g_clear_object (&catalog);
  g_clear_object (&store);
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

/* Puts a can of cola in the cart, which journals it: the cart is now open. */
static void
fill_cart (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, cola_id, &error);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, TILL_QUANTITY_ONE, &error) != NULL, "%s",
                 error ? error->message : "");
}

static gint64
query_int (const char *sql, const char *text)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
query_text (const char *sql, const char *text)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static TillWalletAttempt *
begin (TillWalletProvider provider, const char *cart_uuid, gint64 amount, const char *code)
{
  g_autoptr (GError) error = NULL;
  TillWalletAttempt *attempt =
      till_wallet_attempt_begin (store, provider, cart_uuid, amount, code, FALSE, &error);

  ck_assert_msg (attempt != NULL, "%s", error ? error->message : "");
  return attempt;
}

static void
save (TillWalletAttempt *attempt)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_wallet_attempt_save (store, attempt, &error), "%s",
                 error ? error->message : "");
}

static void
mark_paid (TillWalletAttempt *attempt, const char *transaction_id)
{
  attempt->state = TILL_WALLET_STATE_PAID;
  g_free (attempt->transaction_id);
  attempt->transaction_id = g_strdup (transaction_id);
  g_free (attempt->buyer);
  attempt->buyer = g_strdup ("oUpF****Aq2E");
  save (attempt);
}

/* Records @attempt in a sale inside a transaction, as the sale commit does. */
static gboolean
record (const char *out_trade_no, gint64 amount, const char *sale_uuid, GError **error)
{
  gboolean ok;

  ck_assert (till_store_begin (store, NULL));
  ok = _till_wallet_attempt_record (store, out_trade_no, amount, sale_uuid, error);
  if (ok)
    ck_assert (till_store_commit (store, NULL));
  else
    till_store_rollback (store);
  return ok;
}

/* /core/wallet-payment/route: the prefix and length table of PAYMENTS.md §3,
 * its edges, and what is not a payment code. */
START_TEST (test_route)
{
  static const struct
  {
    const char        *code;
    TillWalletProvider expected;
  } cases[] = {
    /* WeChat: 18 digits, 10–15. */
    { "100000000000000000", TILL_WALLET_WECHAT },
    { "134526789012345678", TILL_WALLET_WECHAT },
    { "159999999999999999", TILL_WALLET_WECHAT },
    { "09452678901234567", TILL_WALLET_NONE },
    { "094526789012345678", TILL_WALLET_NONE },
    { "164526789012345678", TILL_WALLET_NONE },
    { "13452678901234567", TILL_WALLET_NONE },   /* 17 digits */
    { "1345267890123456789", TILL_WALLET_NONE }, /* 19 digits */
    /* Alipay: 16–24 digits, 25–30. */
    { "2500000000000000", TILL_WALLET_ALIPAY },         /* 16 */
    { "28763443825664394", TILL_WALLET_ALIPAY },        /* 17, PAYMENTS.md §2.2 */
    { "300000000000000000000000", TILL_WALLET_ALIPAY }, /* 24 */
    { "250000000000000", TILL_WALLET_NONE },            /* 15 */
    { "3000000000000000000000000", TILL_WALLET_NONE },  /* 25 */
    { "2400000000000000000", TILL_WALLET_NONE },
    { "3100000000000000000", TILL_WALLET_NONE },
    /* UnionPay: 19 digits, 62. */
    { "6212345678901234567", TILL_WALLET_UNIONPAY },
    { "621234567890123456", TILL_WALLET_NONE },   /* 18 */
    { "62123456789012345678", TILL_WALLET_NONE }, /* 20 */
    { "6112345678901234567", TILL_WALLET_NONE },
    { "6312345678901234567", TILL_WALLET_NONE },
    /* Whitespace around is ignored; inside, or letters, it is not a code. */
    { "  134526789012345678\n", TILL_WALLET_WECHAT },
    { "\t28763443825664394 ", TILL_WALLET_ALIPAY },
    { "134526789 012345678", TILL_WALLET_NONE },
    { "13452678901234567A", TILL_WALLET_NONE },
    { "fp0123456789abcdef0123456789abcdef012", TILL_WALLET_NONE },
    { "6901234567892", TILL_WALLET_NONE }, /* an EAN-13 product barcode */
    { "", TILL_WALLET_NONE },
    { "1", TILL_WALLET_NONE },
    { "-13452678901234567", TILL_WALLET_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    ck_assert_msg (till_wallet_route_code (cases[i].code) == cases[i].expected,
                   "“%s” routed to %d, expected %d", cases[i].code,
                   till_wallet_route_code (cases[i].code), cases[i].expected);
  ck_assert_int_eq (till_wallet_route_code (NULL), TILL_WALLET_NONE);
}
END_TEST

/* /core/wallet-payment/names: stored names round-trip, labels are the
 * wallets' names. */
START_TEST (test_names)
{
  TillWalletProvider provider;
  TillWalletState    state;

  for (int p = TILL_WALLET_WECHAT; p <= TILL_WALLET_UNIONPAY; p++)
    {
      g_autofree char *label = till_wallet_provider_dup_label (p);

      ck_assert (till_wallet_provider_from_string (till_wallet_provider_to_string (p), &provider));
      ck_assert_int_eq (provider, p);
      ck_assert (label != NULL && *label != '\0');
    }
  ck_assert_str_eq (till_wallet_provider_to_string (TILL_WALLET_WECHAT), "wechat");
  ck_assert_str_eq (till_wallet_provider_to_string (TILL_WALLET_ALIPAY), "alipay");
  ck_assert_str_eq (till_wallet_provider_to_string (TILL_WALLET_UNIONPAY), "unionpay");
  ck_assert (!till_wallet_provider_from_string ("paypal", &provider));
  ck_assert (!till_wallet_provider_from_string (NULL, &provider));

  for (int s = TILL_WALLET_STATE_PENDING; s <= TILL_WALLET_STATE_DEFERRED; s++)
    {
      ck_assert (till_wallet_state_from_string (till_wallet_state_to_string (s), &state));
      ck_assert_int_eq (state, s);
    }
  ck_assert_str_eq (till_wallet_state_to_string (TILL_WALLET_STATE_REVERSING), "reversing");
  ck_assert (!till_wallet_state_from_string ("lost", &state));
}
END_TEST

/* /core/wallet-payment/mask: only the ends of a code are shown. */
START_TEST (test_mask)
{
  g_autofree char *wechat = till_wallet_mask_code ("130061098828009406");
  g_autofree char *again = till_wallet_mask_code (wechat);
  g_autofree char *spaced = till_wallet_mask_code (" 28763443825664394 ");
  g_autofree char *shortish = till_wallet_mask_code ("12345");

  ck_assert_str_eq (wechat, "1300****9406");
  ck_assert_str_eq (again, wechat);
  ck_assert_str_eq (spaced, "2876****4394");
  ck_assert_str_eq (shortish, "****45");
  ck_assert_ptr_null (strstr (wechat, "61098828"));
}
END_TEST

/* /core/wallet-payment/begin: the attempt is on disk before the request
 * leaves, with a unique out_trade_no and only the masked code. */
START_TEST (test_begin_persists)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) first = NULL;
  g_autoptr (TillWalletAttempt) second = NULL;
  g_autoptr (TillWalletAttempt) loaded = NULL;
  g_autofree char *stored_code = NULL;
  g_autofree char *cart_uuid = g_strdup (till_cart_get_sale_uuid (cart));

  first = begin (TILL_WALLET_WECHAT, cart_uuid, 888, "134526789012345678");
  second = begin (TILL_WALLET_ALIPAY, cart_uuid, 100, "28763443825664394");

  ck_assert_str_ne (first->out_trade_no, second->out_trade_no);
  ck_assert_uint_le (strlen (first->out_trade_no), 32);
  /* The till id without its dash, then the local time, then the counter. */
  ck_assert (g_str_has_prefix (first->out_trade_no, "S01T02"));
  for (const char *p = first->out_trade_no; *p != '\0'; p++)
    ck_assert_msg (g_ascii_isalnum (*p), "%s", first->out_trade_no);
  ck_assert_uint_ge (strlen (first->out_trade_no), strlen ("S01T02") + 14 + 1);
  ck_assert_int_eq (first->state, TILL_WALLET_STATE_PENDING);
  ck_assert_str_eq (first->auth_code, "1345****5678");
  ck_assert (first->created_us > 0);

  stored_code = query_text ("SELECT auth_code FROM wallet_payment WHERE out_trade_no = ?",
                            first->out_trade_no);
  ck_assert_str_eq (stored_code, "1345****5678");

  /* A till killed now finds it again. */
  close_all ();
  open_all ();
  loaded = till_wallet_attempt_load (store, first->out_trade_no, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (loaded->out_trade_no, first->out_trade_no);
  ck_assert_int_eq (loaded->provider, TILL_WALLET_WECHAT);
  ck_assert_str_eq (loaded->cart_uuid, cart_uuid);
  ck_assert_int_eq (loaded->amount, 888);
  ck_assert_int_eq (loaded->state, TILL_WALLET_STATE_PENDING);
  ck_assert_int_eq (loaded->created_us, first->created_us);
  ck_assert_ptr_null (loaded->transaction_id);
  ck_assert_ptr_null (loaded->sale_uuid);

  g_clear_pointer (&loaded, till_wallet_attempt_free);
  loaded = till_wallet_attempt_load (store, "S01T0220261123000000999999", &error);
  ck_assert_ptr_null (loaded);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
}
END_TEST

/* /core/wallet-payment/begin/invalid: no attempt for nothing. */
START_TEST (test_begin_invalid)
{
  g_autoptr (GError) error = NULL;

  ck_assert_ptr_null (till_wallet_attempt_begin (store, TILL_WALLET_WECHAT, "c", 0,
                                                 "134526789012345678", FALSE, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM wallet_payment", NULL), 0);
}
END_TEST

/* /core/wallet-payment/save/paid-applies: a paid attempt of the open cart
 * is applied to it in the same write, exactly once. */
START_TEST (test_paid_applies_once)
{
  g_autoptr (TillWalletAttempt) cash_first = NULL;
  g_autoptr (TillWalletAttempt) attempt = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) unresolved = NULL;
  const char *cart_uuid;

  fill_cart ();
  cart_uuid = till_cart_get_sale_uuid (cart);
  /* A tender already applied: the wallet comes second. */
  ck_assert_int_eq (sqlite3_exec (till_store_get_db (store),
                                  "INSERT INTO cart_tender (cart_uuid, line_no, method, kind, "
                                  "amount, tendered, created_us) SELECT sale_uuid, 1, 'cash', "
                                  "'cash', 100, 100, 1 FROM cart",
                                  NULL, NULL, NULL),
                    SQLITE_OK);

  attempt = begin (TILL_WALLET_WECHAT, cart_uuid, 250, "134526789012345678");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender WHERE attempt IS NOT NULL", NULL),
                    0);
  mark_paid (attempt, "4200000001202611230000000001");
  save (attempt); /* saved again: still one row */

  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM cart_tender WHERE attempt = ?", attempt->out_trade_no), 1);
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT cart_uuid, line_no, method, kind, amount, "
                                        "tendered, change, reference, account FROM cart_tender "
                                        "WHERE attempt = ?",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, attempt->out_trade_no, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), cart_uuid);
  ck_assert_int_eq (sqlite3_column_int (stmt, 1), 2);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 2), "wechat");
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 3), "wallet");
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 4), 250);
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 5), 250);
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 6), 0);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 7), "4200000001202611230000000001");
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 8), "oUpF****Aq2E");

  unresolved = till_wallet_attempt_list_unresolved (store, &error);
  ck_assert_msg (unresolved != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (unresolved->len, 0);
}
END_TEST

/* /core/wallet-payment/save/closed-cart: a payment confirmed after its cart
 * was given up is not applied to another cart. */
START_TEST (test_paid_closed_cart)
{
  g_autoptr (TillWalletAttempt) attempt = NULL;
  g_autoptr (TillWalletAttempt) loaded = NULL;

  fill_cart ();
  attempt = begin (TILL_WALLET_ALIPAY, "not-the-open-cart", 300, "28763443825664394");
  mark_paid (attempt, "2026112322001404070200176846");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 0);
  loaded = till_wallet_attempt_load (store, attempt->out_trade_no, NULL);
  ck_assert_int_eq (loaded->state, TILL_WALLET_STATE_PAID);
  ck_assert_str_eq (loaded->transaction_id, "2026112322001404070200176846");
}
END_TEST

/* /core/wallet-payment/list-unresolved: pending, reversing and deferred,
 * oldest first; settled ones are not. */
START_TEST (test_list_unresolved)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) unresolved = NULL;
  g_autoptr (TillWalletAttempt) pending =
      begin (TILL_WALLET_WECHAT, "c1", 100, "134526789012345601");
  g_autoptr (TillWalletAttempt) paid = begin (TILL_WALLET_WECHAT, "c1", 100, "134526789012345602");
  g_autoptr (TillWalletAttempt) reversing =
      begin (TILL_WALLET_ALIPAY, "c1", 100, "28763443825664303");
  g_autoptr (TillWalletAttempt) failed = begin (TILL_WALLET_ALIPAY, "c1", 100, "28763443825664304");
  g_autoptr (TillWalletAttempt) deferred = NULL;

  ck_assert (till_store_set_setting (store, "payments.confirm-later-cap", "1000", NULL));
  deferred = till_wallet_attempt_begin (store, TILL_WALLET_UNIONPAY, "c1", 100,
                                        "6212345678901234505", TRUE, &error);
  ck_assert_msg (deferred != NULL, "%s", error ? error->message : "");
  mark_paid (paid, "t1");
  reversing->state = TILL_WALLET_STATE_REVERSING;
  save (reversing);
  failed->state = TILL_WALLET_STATE_FAILED;
  save (failed);

  unresolved = till_wallet_attempt_list_unresolved (store, &error);
  ck_assert_msg (unresolved != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (unresolved->len, 3);
  ck_assert_str_eq (((TillWalletAttempt *) unresolved->pdata[0])->out_trade_no,
                    pending->out_trade_no);
  ck_assert_str_eq (((TillWalletAttempt *) unresolved->pdata[1])->out_trade_no,
                    reversing->out_trade_no);
  ck_assert_int_eq (((TillWalletAttempt *) unresolved->pdata[1])->state,
                    TILL_WALLET_STATE_REVERSING);
  ck_assert_str_eq (((TillWalletAttempt *) unresolved->pdata[2])->out_trade_no,
                    deferred->out_trade_no);
  /* A deferred attempt keeps the whole code: it is charged later. */
  ck_assert_str_eq (((TillWalletAttempt *) unresolved->pdata[2])->auth_code, "6212345678901234505");
}
END_TEST

/* /core/wallet-payment/save/deferred-masks: once charged, the whole code is
 * no longer kept. */
START_TEST (test_deferred_masked_when_settled)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) deferred = NULL;
  g_autofree char *stored = NULL;

  ck_assert (till_store_set_setting (store, "payments.confirm-later-cap", "1000", NULL));
  deferred = till_wallet_attempt_begin (store, TILL_WALLET_WECHAT, "c1", 500, "134526789012345678",
                                        TRUE, &error);
  ck_assert_msg (deferred != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (deferred->state, TILL_WALLET_STATE_DEFERRED);
  mark_paid (deferred, "4200");
  stored = query_text ("SELECT auth_code FROM wallet_payment WHERE out_trade_no = ?",
                       deferred->out_trade_no);
  ck_assert_str_eq (stored, "1345****5678");
}
END_TEST

/* /core/wallet-payment/to-payment: the tender a paid attempt applies. */
START_TEST (test_to_payment)
{
  g_autoptr (TillWalletAttempt) attempt =
      begin (TILL_WALLET_ALIPAY, "c1", 1999, "28763443825664394");
  g_autoptr (TillSalePayment) payment = NULL;

  mark_paid (attempt, "2026112322001404070200176846");
  payment = till_wallet_attempt_to_payment (attempt);
  ck_assert_str_eq (payment->method, "alipay");
  ck_assert_int_eq (payment->kind, TILL_TENDER_KIND_WALLET);
  ck_assert_int_eq (payment->amount, 1999);
  ck_assert_int_eq (payment->tendered, 1999);
  ck_assert_int_eq (payment->change, 0);
  ck_assert_str_eq (payment->reference, "2026112322001404070200176846");
  ck_assert_str_eq (payment->account, "oUpF****Aq2E");
  ck_assert_str_eq (payment->attempt, attempt->out_trade_no);
}
END_TEST

/* /core/wallet-payment/record: a sale is completed only on a payment
 * confirmed for its exact amount, and only once. */
START_TEST (test_record)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) pending =
      begin (TILL_WALLET_WECHAT, "c1", 500, "134526789012345678");
  g_autoptr (TillWalletAttempt) failed =
      begin (TILL_WALLET_WECHAT, "c1", 500, "134526789012345621");
  g_autoptr (TillWalletAttempt) paid = begin (TILL_WALLET_WECHAT, "c1", 500, "134526789012345600");
  g_autoptr (TillWalletAttempt) loaded = NULL;

  failed->state = TILL_WALLET_STATE_FAILED;
  save (failed);
  mark_paid (paid, "4200");

  ck_assert (!record (pending->out_trade_no, 500, "sale-1", &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  ck_assert_ptr_nonnull (strstr (error->message, "never completes a sale"));
  g_clear_error (&error);
  ck_assert (!record (failed->out_trade_no, 500, "sale-1", &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  g_clear_error (&error);
  ck_assert (!record (paid->out_trade_no, 499, "sale-1", &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  g_clear_error (&error);
  ck_assert (!record ("S01T0220261123000000999999", 500, "sale-1", &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  g_clear_error (&error);
  ck_assert (!record (NULL, 500, "sale-1", &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  g_clear_error (&error);

  ck_assert_msg (record (paid->out_trade_no, 500, "sale-1", &error), "%s",
                 error ? error->message : "");
  loaded = till_wallet_attempt_load (store, paid->out_trade_no, NULL);
  ck_assert_str_eq (loaded->sale_uuid, "sale-1");

  ck_assert (!record (paid->out_trade_no, 500, "sale-2", &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  g_clear_pointer (&loaded, till_wallet_attempt_free);
  loaded = till_wallet_attempt_load (store, paid->out_trade_no, NULL);
  ck_assert_str_eq (loaded->sale_uuid, "sale-1");
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM wallet_payment WHERE sale_uuid IS NOT NULL", NULL), 1);
}
END_TEST

/* /core/wallet-payment/record/deferred: a payment accepted to confirm later
 * completes its sale. */
START_TEST (test_record_deferred)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) deferred = NULL;

  ck_assert (till_store_set_setting (store, "payments.confirm-later-cap", "1000", NULL));
  deferred = till_wallet_attempt_begin (store, TILL_WALLET_WECHAT, "c1", 500, "134526789012345678",
                                        TRUE, &error);
  ck_assert_msg (deferred != NULL, "%s", error ? error->message : "");
  ck_assert_msg (record (deferred->out_trade_no, 500, "sale-9", &error), "%s",
                 error ? error->message : "");
}
END_TEST

/* /core/wallet-payment/deferred/caps: off unless the store allows it; per
 * sale and per business day, counting what was deferred even once charged. */
START_TEST (test_deferred_caps)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) first = NULL;
  g_autoptr (TillWalletAttempt) second = NULL;
  g_autoptr (TillWalletAttempt) online = NULL;

  ck_assert (!till_wallet_deferred_allowed (store, 100, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OFFLINE);
  g_clear_error (&error);

  ck_assert (till_store_set_setting (store, "payments.confirm-later-cap", "5000", NULL));
  ck_assert (till_wallet_deferred_allowed (store, 5000, &error));
  ck_assert (!till_wallet_deferred_allowed (store, 5001, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  ck_assert_msg (strstr (error->message, "50.00") != NULL, "%s", error->message);
  g_clear_error (&error);

  ck_assert (till_store_set_setting (store, "payments.confirm-later-daily-cap", "8000", NULL));
  ck_assert (till_wallet_deferred_allowed (store, 5000, &error));
  first = till_wallet_attempt_begin (store, TILL_WALLET_WECHAT, "c1", 5000, "134526789012345678",
                                     TRUE, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  ck_assert (till_wallet_deferred_allowed (store, 3000, &error));
  ck_assert (!till_wallet_deferred_allowed (store, 3001, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  ck_assert_msg (strstr (error->message, "80.00") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* Charged later: it still counted against today's cap. */
  mark_paid (first, "4200");
  ck_assert (!till_wallet_deferred_allowed (store, 3001, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  g_clear_error (&error);

  second = till_wallet_attempt_begin (store, TILL_WALLET_WECHAT, "c1", 3000, "134526789012345679",
                                      TRUE, &error);
  ck_assert_msg (second != NULL, "%s", error ? error->message : "");
  ck_assert (!till_wallet_deferred_allowed (store, 1, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  g_clear_error (&error);

  /* Attempts paid online don't count. */
  online = begin (TILL_WALLET_WECHAT, "c1", 9000, "134526789012345670");
  mark_paid (online, "4201");
  ck_assert (till_store_set_setting (store, "payments.confirm-later-daily-cap", "8001", NULL));
  ck_assert (till_wallet_deferred_allowed (store, 1, &error));
}
END_TEST

/* A recorded return of one cola sold for cash, for refunds to hang on. */
static char *
make_return (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;

  fill_cart ();
  sale = till_sale_commit_cash (cart, journal, manager, 1000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  draft = till_return_new_with_receipt (store, sale, &error);
  ck_assert_msg (draft != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_pick_all (draft, &error));
  ck_assert_msg (till_return_commit (draft, journal, manager, NULL, &error), "%s",
                 error ? error->message : "");
  return g_strdup (till_return_get_uuid (draft));
}

static TillWalletRefund *
create_refund (const char *out_trade_no, const char *return_uuid, gint64 amount, GError **error)
{
  TillWalletRefund *refund;

  ck_assert (till_store_begin (store, NULL));
  refund = _till_wallet_refund_create (store, out_trade_no, return_uuid, amount, error);
  if (refund != NULL)
    ck_assert (till_store_commit (store, NULL));
  else
    till_store_rollback (store);
  return refund;
}

/* /core/wallet-payment/refund: a refund is recorded pending with its own
 * out_refund_no, listed until done, and never exceeds what was paid. */
START_TEST (test_refunds)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *return_uuid = make_return ();
  g_autoptr (TillWalletAttempt) paid = begin (TILL_WALLET_WECHAT, "c1", 1000, "134526789012345678");
  g_autoptr (TillWalletAttempt) pending =
      begin (TILL_WALLET_WECHAT, "c1", 1000, "134526789012345679");
  g_autoptr (TillWalletRefund) first = NULL;
  g_autoptr (TillWalletRefund) second = NULL;
  g_autoptr (GPtrArray) list = NULL;

  mark_paid (paid, "4200");

  ck_assert_ptr_null (create_refund (pending->out_trade_no, return_uuid, 100, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  g_clear_error (&error);
  ck_assert_ptr_null (create_refund (paid->out_trade_no, return_uuid, 1001, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  g_clear_error (&error);

  first = create_refund (paid->out_trade_no, return_uuid, 600, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (first->state, TILL_WALLET_REFUND_PENDING);
  ck_assert_int_eq (first->total, 1000);
  ck_assert_int_eq (first->amount, 600);
  ck_assert_int_eq (first->provider, TILL_WALLET_WECHAT);
  ck_assert (first->out_refund_no[0] == 'R');
  ck_assert_uint_le (strlen (first->out_refund_no), 32);

  /* 400 is left to refund. */
  ck_assert_ptr_null (create_refund (paid->out_trade_no, return_uuid, 401, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  g_clear_error (&error);
  second = create_refund (paid->out_trade_no, return_uuid, 400, &error);
  ck_assert_msg (second != NULL, "%s", error ? error->message : "");
  ck_assert_str_ne (first->out_refund_no, second->out_refund_no);

  close_all ();
  open_all ();
  list = till_wallet_refund_list_pending (store, &error);
  ck_assert_uint_eq (list->len, 2);
  ck_assert_str_eq (((TillWalletRefund *) list->pdata[0])->out_refund_no, first->out_refund_no);
  ck_assert_str_eq (((TillWalletRefund *) list->pdata[0])->out_trade_no, paid->out_trade_no);
  ck_assert_str_eq (((TillWalletRefund *) list->pdata[0])->return_uuid, return_uuid);
  g_clear_pointer (&list, g_ptr_array_unref);

  first->state = TILL_WALLET_REFUND_DONE;
  first->refund_id = g_strdup ("50000000001");
  ck_assert_msg (till_wallet_refund_save (store, first, &error), "%s", error ? error->message : "");
  second->state = TILL_WALLET_REFUND_FAILED;
  second->message = g_strdup ("商户余额不足");
  ck_assert (till_wallet_refund_save (store, second, &error));

  list = till_wallet_refund_list_pending (store, &error);
  ck_assert_uint_eq (list->len, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = till_wallet_refund_list_for_return (store, return_uuid, &error);
  ck_assert_uint_eq (list->len, 2);
  ck_assert_int_eq (((TillWalletRefund *) list->pdata[0])->state, TILL_WALLET_REFUND_DONE);
  ck_assert_str_eq (((TillWalletRefund *) list->pdata[0])->refund_id, "50000000001");
  ck_assert_int_eq (((TillWalletRefund *) list->pdata[1])->state, TILL_WALLET_REFUND_FAILED);
  ck_assert_str_eq (((TillWalletRefund *) list->pdata[1])->message, "商户余额不足");

  /* A refused refund gives its amount back to refund another way. */
  {
    g_autoptr (TillWalletRefund) retry =
        create_refund (paid->out_trade_no, return_uuid, 400, &error);
    ck_assert_msg (retry != NULL, "%s", error ? error->message : "");
  }
}
END_TEST

static Suite *
wallet_payment_suite (void)
{
  Suite *suite = suite_create ("core/wallet-payment");
  TCase *tcase;

  tcase = tcase_create ("/core/wallet-payment/pure");
  tcase_add_test (tcase, test_route);
  tcase_add_test (tcase, test_names);
  tcase_add_test (tcase, test_mask);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("/core/wallet-payment/store");
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_begin_persists);
  tcase_add_test (tcase, test_begin_invalid);
  tcase_add_test (tcase, test_paid_applies_once);
  tcase_add_test (tcase, test_paid_closed_cart);
  tcase_add_test (tcase, test_list_unresolved);
  tcase_add_test (tcase, test_deferred_masked_when_settled);
  tcase_add_test (tcase, test_to_payment);
  tcase_add_test (tcase, test_record);
  tcase_add_test (tcase, test_record_deferred);
  tcase_add_test (tcase, test_deferred_caps);
  tcase_add_test (tcase, test_refunds);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (wallet_payment_suite ());
}
