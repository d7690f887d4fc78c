/* test-tender.c: tests for src/core/till-tender.c, till-tender-registry.c,
 * till-local-tenders.c, till-stored-value.c and till-voucher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashier;
static gint64       chips_id; /* ¥12.80 */

/* A stand-in QR wallet driver: the registry only needs its id and kind. */
#define TEST_TYPE_WALLET_TENDER (test_wallet_tender_get_type ())
G_DECLARE_FINAL_TYPE (TestWalletTender, test_wallet_tender, TEST, WALLET_TENDER, GObject)

struct _TestWalletTender
{
  GObject parent_instance;
  char   *id;
};

static void test_wallet_tender_iface_init (TillTenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestWalletTender,
                               test_wallet_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER,
                                                      test_wallet_tender_iface_init))

static const char *
test_wallet_get_id (TillTender *tender)
{
  return TEST_WALLET_TENDER (tender)->id;
}

static char *
test_wallet_dup_label (TillTender *tender)
{
  return g_strdup (TEST_WALLET_TENDER (tender)->id);
}

static TillTenderKind
test_wallet_get_kind (TillTender *tender)
{
  return TILL_TENDER_KIND_WALLET;
}

static void
test_wallet_tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = test_wallet_get_id;
  iface->dup_label = test_wallet_dup_label;
  iface->get_kind = test_wallet_get_kind;
}

static void
test_wallet_tender_finalize (GObject *object)
{
  g_free (TEST_WALLET_TENDER (object)->id);
  G_OBJECT_CLASS (test_wallet_tender_parent_class)->finalize (object);
}

static void
test_wallet_tender_class_init (TestWalletTenderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_wallet_tender_finalize;
}

static void
test_wallet_tender_init (TestWalletTender *self)
{
}

static TillTender *
test_wallet_tender_new (const char *id)
{
  TestWalletTender *self = g_object_new (TEST_TYPE_WALLET_TENDER, NULL);

  self->id = g_strdup (id);
  return TILL_TENDER (self);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;
  TillProductSpec  spec = {
     .sku = "C002",
     .name = "乐事薯片 70g",
     .unit = "袋",
     .price = 1280,
     .vat_rate = 1300,
     .active = TRUE,
  };

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
  chips_id = till_catalog_add_product (catalog, &spec, &error);
  ck_assert_msg (chips_id > 0, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static gint64
query_int (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s", sql);
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
                 "%s", sql);
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs an authorize to its end on the main context; the result never comes
 * back before the call returned. */
static TillSalePayment *
authorize (TillTender *tender,
           const char *input,
           const char *account,
           gint64      due,
           gint64      amount,
           GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  TillTenderRequest request = {
    .cart_uuid = till_cart_get_sale_uuid (cart),
    .due = due,
    .amount = amount,
    .input = input,
    .account = account,
  };

  TillSalePayment *payment;

  till_tender_authorize_async (tender, &request, NULL, store_result_cb, &result);
  ck_assert_ptr_null (result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  payment = till_tender_authorize_finish (tender, result, error);

  /* A tender that decides at once answers the same without a main loop. */
  if (till_tender_decides_at_once (tender))
    {
      g_autoptr (GError) now_error = NULL;
      g_autoptr (TillSalePayment) now = till_tender_authorize (tender, &request, &now_error);

      ck_assert_int_eq (now != NULL, payment != NULL);
      if (now != NULL)
        {
          ck_assert_int_eq (now->amount, payment->amount);
          ck_assert_int_eq (now->tendered, payment->tendered);
          ck_assert_int_eq (now->change, payment->change);
        }
      else
        ck_assert_int_eq (now_error->code, (*error)->code);
    }
  return payment;
}

static void
authorize_refused (
    TillTender *tender, const char *input, const char *account, gint64 due, gint64 amount, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) payment = authorize (tender, input, account, due, amount, &error);

  ck_assert_ptr_null (payment);
  ck_assert_msg (g_error_matches (error, TILL_TENDER_ERROR, code), "%s: %s",
                 input ? input : "(no input)", error ? error->message : "no error");
}

static TillTenderRegistry *
full_registry (void)
{
  TillTenderRegistry *registry = till_tender_registry_new (store);
  TillTender         *tenders[] = {
            till_voucher_tender_new (store),      till_card_tender_new (),
            test_wallet_tender_new ("wechat"),    till_cash_tender_new (),
            till_stored_value_tender_new (store),
  };

  for (guint i = 0; i < G_N_ELEMENTS (tenders); i++)
    {
      till_tender_registry_add (registry, tenders[i]);
      g_object_unref (tenders[i]);
    }
  return registry;
}

static char *
enabled_ids (TillTenderRegistry *registry)
{
  g_autoptr (GPtrArray) enabled = till_tender_registry_list_enabled (registry);
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < enabled->len; i++)
    {
      if (i > 0)
        g_string_append_c (ids, ',');
      g_string_append (ids, till_tender_get_id (g_ptr_array_index (enabled, i)));
    }
  return g_string_free (ids, FALSE);
}

/* /core/tender/kind-names: stored names round-trip */
START_TEST (test_kind_names)
{
  TillTenderKind kind;

  for (int k = TILL_TENDER_KIND_CASH; k <= TILL_TENDER_KIND_EXCHANGE; k++)
    {
      ck_assert (till_tender_kind_from_string (till_tender_kind_to_string (k), &kind));
      ck_assert_int_eq (kind, k);
    }
  ck_assert_str_eq (till_tender_kind_to_string (TILL_TENDER_KIND_STORED_VALUE), "stored-value");
  ck_assert (!till_tender_kind_from_string ("bitcoin", &kind));
  ck_assert (!till_tender_kind_from_string (NULL, &kind));
}
END_TEST

/* /core/tender/payment-copy: a tender copies deeply */
START_TEST (test_payment_copy)
{
  g_autoptr (TillSalePayment) payment =
      till_sale_payment_new ("wechat", TILL_TENDER_KIND_WALLET, 880);
  g_autoptr (TillSalePayment) copy = NULL;

  ck_assert_int_eq (payment->tendered, 880);
  ck_assert_int_eq (payment->change, 0);
  payment->reference = g_strdup ("4200000001");
  payment->account = g_strdup ("oUpF****Tk");
  payment->attempt = g_strdup ("T0120261123");
  copy = till_sale_payment_copy (payment);
  ck_assert_ptr_ne (copy->attempt, payment->attempt);
  ck_assert_str_eq (copy->method, "wechat");
  ck_assert_str_eq (copy->reference, "4200000001");
  ck_assert_str_eq (copy->account, "oUpF****Tk");
  ck_assert_str_eq (copy->attempt, "T0120261123");
  ck_assert_int_eq (copy->amount, 880);
  ck_assert (G_TYPE_IS_BOXED (TILL_TYPE_SALE_PAYMENT));
}
END_TEST

/* /core/tender/registry/order: the store's order, only registered and enabled */
START_TEST (test_registry_order)
{
  g_autoptr (TillTenderRegistry) registry = full_registry ();
  g_autofree char *ids = NULL;
  g_autoptr (GError) error = NULL;

  /* Default: TILL_TENDERS_DEFAULT minus what this till has no driver for. */
  ids = enabled_ids (registry);
  ck_assert_str_eq (ids, "cash,wechat,card,stored-value,voucher");
  ck_assert (till_tender_registry_is_enabled (registry, "card"));
  ck_assert (!till_tender_registry_is_enabled (registry, "alipay"));

  ck_assert (till_store_set_setting (store, "tenders.enabled", " voucher,cash,, bitcoin ,card,cash",
                                     &error));
  g_free (ids);
  ids = enabled_ids (registry);
  ck_assert_str_eq (ids, "voucher,cash,card");
  ck_assert (till_tender_registry_is_enabled (registry, "voucher"));
  ck_assert (!till_tender_registry_is_enabled (registry, "stored-value"));
  ck_assert (!till_tender_registry_is_enabled (registry, "wechat"));
  ck_assert (!till_tender_registry_is_enabled (registry, "bitcoin"));
  /* Still there to look up, e.g. to release an applied tender. */
  ck_assert_ptr_nonnull (till_tender_registry_lookup (registry, "stored-value"));
  ck_assert_ptr_null (till_tender_registry_lookup (registry, "bitcoin"));

  /* Registering again under the same id replaces the driver. */
  {
    g_autoptr (TillTender) other_cash = till_cash_tender_new ();

    till_tender_registry_add (registry, other_cash);
    ck_assert_ptr_eq (till_tender_registry_lookup (registry, "cash"), other_cash);
  }
}
END_TEST

/* /core/tender/registry/route-code: a 付款码 goes to its wallet, if on */
START_TEST (test_route_code)
{
  g_autoptr (TillTenderRegistry) registry = full_registry ();
  g_autoptr (GError) error = NULL;
  TillTender *tender;

  tender = till_tender_registry_route_code (registry, " 134526789012345678\n", &error);
  ck_assert_msg (tender != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_tender_get_id (tender), "wechat");

  /* Alipay's code, but this till has no Alipay driver. */
  tender = till_tender_registry_route_code (registry, "28763443825664394", &error);
  ck_assert_ptr_null (tender);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DISABLED));
  g_clear_error (&error);

  /* Not a payment code at all: an EAN-13, a member card, text. */
  static const char *const not_codes[] = { "6901234567892", "8800000000000012", "hello", "" };
  for (guint i = 0; i < G_N_ELEMENTS (not_codes); i++)
    {
      ck_assert_ptr_null (till_tender_registry_route_code (registry, not_codes[i], &error));
      ck_assert_msg (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_NOT_A_CODE), "%s",
                     not_codes[i]);
      g_clear_error (&error);
    }

  /* The shop turns WeChat Pay off: the same code is refused. */
  ck_assert (till_store_set_setting (store, "tenders.enabled", "cash,card", NULL));
  ck_assert_ptr_null (till_tender_registry_route_code (registry, "134526789012345678", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DISABLED));
}
END_TEST

/* /core/tender/cash: pays at most the due, the rest is change */
START_TEST (test_cash)
{
  g_autoptr (TillTender) cash = till_cash_tender_new ();
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (TillSalePayment) part = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *label = till_tender_dup_label (cash);

  ck_assert (till_tender_decides_at_once (cash));
  ck_assert_str_eq (till_tender_get_id (cash), "cash");
  ck_assert_str_eq (label, "Cash");
  ck_assert_int_eq (till_tender_get_kind (cash), TILL_TENDER_KIND_CASH);

  payment = authorize (cash, NULL, NULL, 2910, 5000, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (payment->method, "cash");
  ck_assert_int_eq (payment->kind, TILL_TENDER_KIND_CASH);
  ck_assert_int_eq (payment->amount, 2910);
  ck_assert_int_eq (payment->tendered, 5000);
  ck_assert_int_eq (payment->change, 2090);

  part = authorize (cash, NULL, NULL, 2910, 1000, &error);
  ck_assert_int_eq (part->amount, 1000);
  ck_assert_int_eq (part->change, 0);

  authorize_refused (cash, NULL, NULL, 2910, 0, TILL_TENDER_ERROR_INVALID);
  authorize_refused (cash, NULL, NULL, 0, 100, TILL_TENDER_ERROR_OVER_LIMIT);
  authorize_refused (cash, NULL, NULL, 2910, G_GINT64_CONSTANT (100000000000),
                     TILL_TENDER_ERROR_INVALID);
}
END_TEST

static void
release_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  int *state = user_data;

  *state = till_tender_release_finish (TILL_TENDER (source), result, NULL) ? 1 : 2;
}

/* /core/tender/card: the terminal's reference and the card's tail */
START_TEST (test_card)
{
  g_autoptr (TillTender) card = till_card_tender_new ();
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *label = till_tender_dup_label (card);
  int              released = 0;

  ck_assert_str_eq (label, "Bank card");
  payment = authorize (card, " 20261123A1 ", "4321", 2910, 2000, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (payment->method, "card");
  ck_assert_int_eq (payment->kind, TILL_TENDER_KIND_CARD);
  ck_assert_int_eq (payment->amount, 2000);
  ck_assert_int_eq (payment->tendered, 2000);
  ck_assert_int_eq (payment->change, 0);
  ck_assert_str_eq (payment->reference, "20261123A1");
  ck_assert_str_eq (payment->account, "**** 4321");

  authorize_refused (card, "12345", "4321", 2910, 2000, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, "1234567890123", "4321", 2910, 2000, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, "ABC-123", "4321", 2910, 2000, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, NULL, "4321", 2910, 2000, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, "123456", "432", 2910, 2000, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, "123456", "43a1", 2910, 2000, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, "123456", NULL, 2910, 2000, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, "123456", "4321", 2910, 2911, TILL_TENDER_ERROR_OVER_LIMIT);
  authorize_refused (card, "123456", "4321", 2910, 0, TILL_TENDER_ERROR_INVALID);
  authorize_refused (card, "123456", "4321", 0, 100, TILL_TENDER_ERROR_OVER_LIMIT);

  /* Nothing to undo in the till: release finishes at once, on the main context. */
  till_tender_release_async (card, payment, NULL, release_done_cb, &released);
  ck_assert_int_eq (released, 0);
  while (released == 0)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_int_eq (released, 1);
}
END_TEST

/* /core/tender/stored-value: cards, balances and the tender */
START_TEST (test_stored_value)
{
  g_autoptr (TillTender) tender = till_stored_value_tender_new (store);
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *label = till_tender_dup_label (tender);

  ck_assert_str_eq (label, "Stored value");
  ck_assert_str_eq (till_tender_get_id (tender), "stored-value");
  ck_assert (till_stored_value_open (store, "8800000000000012", "王芳", 50000, 5000, &error));
  ck_assert (till_stored_value_open (store, "8800000000000029", "张伟", 3000, 0, &error));
  ck_assert (!till_stored_value_open (store, "8800000000000029", "李四", 100, 0, &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger", NULL), 3);

  account = till_stored_value_find (store, "8800000000000012", &error);
  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (account->holder, "王芳");
  ck_assert (account->active);
  ck_assert_int_eq (account->balance, 55000);
  masked = till_stored_value_mask_card ("8800000000000012");
  ck_assert_str_eq (masked, "8800****0012");

  payment = authorize (tender, "8800000000000012", NULL, 2910, 2910, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (payment->method, "stored-value");
  ck_assert_int_eq (payment->kind, TILL_TENDER_KIND_STORED_VALUE);
  ck_assert_int_eq (payment->amount, 2910);
  ck_assert_str_eq (payment->reference, "8800000000000012");
  ck_assert_str_eq (payment->account, "8800****0012");
  g_clear_pointer (&payment, till_sale_payment_free);
  /* Asked for more than is due: pays the due. */
  payment = authorize (tender, "8800000000000012", NULL, 2910, 9999, &error);
  ck_assert_int_eq (payment->amount, 2910);

  /* The ¥30 card cannot pay ¥29.10 + more; the message gives the balance. */
  {
    g_autoptr (TillSalePayment) refused = NULL;

    refused = authorize (tender, "8800000000000029", NULL, 5000, 5000, &error);
    ck_assert_ptr_null (refused);
    ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
    ck_assert_msg (strstr (error->message, "30.00") != NULL, "%s", error->message);
    g_clear_error (&error);
  }
  authorize_refused (tender, "8800000000000099", NULL, 2910, 2910, TILL_TENDER_ERROR_INVALID);
  authorize_refused (tender, "", NULL, 2910, 2910, TILL_TENDER_ERROR_INVALID);
  authorize_refused (tender, "8800000000000012", NULL, 0, 100, TILL_TENDER_ERROR_INVALID);

  /* A blocked card pays nothing. */
  ck_assert (till_store_exec (
      store, "UPDATE sv_account SET active = 0 WHERE card_no = '8800000000000029'", NULL));
  authorize_refused (tender, "8800000000000029", NULL, 1000, 1000, TILL_TENDER_ERROR_INVALID);
  ck_assert_ptr_null (till_stored_value_find (store, "8800000000000029", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
}
END_TEST

static void
add_chips (gint64 pieces)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, chips_id, &error);

  ck_assert (till_cart_add_product (cart, product, pieces * TILL_QUANTITY_ONE, &error) != NULL);
}

/* /core/tender/stored-value/ledger: the sale debits the card; a balance spent
 * underneath since the authorize is refused in the commit */
START_TEST (test_stored_value_ledger)
{
  g_autoptr (TillTender) tender = till_stored_value_tender_new (store);
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSalePayment) authorized = NULL;
  g_autoptr (TillSalePayment) cash = NULL;
  g_autoptr (TillSale) refused_sale = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autofree char *sale_uuid = NULL;

  ck_assert (till_stored_value_open (store, "8800000000000029", "张伟", 3000, 0, &error));
  add_chips (3); /* 38.40 */
  sale_uuid = g_strdup (till_cart_get_sale_uuid (cart));
  payment = till_payment_new (cart, &error);
  authorized = authorize (tender, "8800000000000029", NULL, till_payment_get_remaining (payment),
                          3000, &error);
  ck_assert_msg (authorized != NULL, "%s", error ? error->message : "");
  ck_assert (till_payment_add (payment, authorized, &error));
  cash = till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, 840);
  cash->tendered = 1000;
  cash->change = 160;
  ck_assert (till_payment_add (payment, cash, &error));
  ck_assert (till_payment_is_complete (payment));

  /* Another sale spends ¥10 of the card before this one is recorded. */
  ck_assert (till_store_begin (store, NULL));
  ck_assert (_till_stored_value_debit (store, "8800000000000029", 1000, "other-sale", &error));
  ck_assert (till_store_commit (store, NULL));

  refused_sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_ptr_null (refused_sale);
  ck_assert_msg (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT), "%s",
                 error->message);
  ck_assert_msg (strstr (error->message, "20.00") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger WHERE kind = 'debit'", NULL), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 2);
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 2);

  /* Take the stored value off and pay ¥20 from it instead. */
  ck_assert (till_payment_remove (payment, 1, &error));
  ck_assert (till_payment_remove (payment, 0, &error));
  g_clear_pointer (&authorized, till_sale_payment_free);
  authorized = authorize (tender, "8800000000000029", NULL, till_payment_get_remaining (payment),
                          3000, &error);
  ck_assert_ptr_null (authorized);
  g_clear_error (&error);
  authorized = authorize (tender, "8800000000000029", NULL, till_payment_get_remaining (payment),
                          2000, &error);
  ck_assert_msg (authorized != NULL, "%s", error ? error->message : "");
  ck_assert (till_payment_add (payment, authorized, &error));
  cash->amount = 1840;
  cash->tendered = 2000;
  cash->change = 160;
  ck_assert (till_payment_add (payment, cash, &error));
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");

  account = till_stored_value_find (store, "8800000000000029", &error);
  ck_assert_int_eq (account->balance, 0);
  ck_assert_int_eq (query_int ("SELECT amount FROM sv_ledger WHERE sale_uuid = ?", sale_uuid),
                    -2000);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger WHERE kind = 'debit'", NULL), 2);

  /* The empty card can't pay again: neither at authorize nor in a commit. */
  authorize_refused (tender, "8800000000000029", NULL, 1000, 1000, TILL_TENDER_ERROR_OVER_LIMIT);
  ck_assert (till_store_begin (store, NULL));
  ck_assert (!_till_stored_value_debit (store, "8800000000000029", 1, "third", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
  g_clear_error (&error);
  /* A refund puts money back on it. */
  ck_assert (_till_stored_value_credit (store, "8800000000000029", 500, "return-1", &error));
  ck_assert (till_store_commit (store, NULL));
  g_clear_pointer (&account, till_stored_value_account_free);
  account = till_stored_value_find (store, "8800000000000029", &error);
  ck_assert_int_eq (account->balance, 500);
}
END_TEST

/* /core/tender/voucher: codes, validity, minimum spend, single use */
START_TEST (test_voucher)
{
  g_autoptr (TillTender) tender = till_voucher_tender_new (store);
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *label = till_tender_dup_label (tender);

  ck_assert_str_eq (label, "Voucher");
  ck_assert (till_voucher_issue (store, "V2026001", 1000, 5000, NULL, "2999-12-31", &error));
  ck_assert (till_voucher_issue (store, "V2026100", 2000, 0, NULL, NULL, &error));
  ck_assert (till_voucher_issue (store, "V2020999", 1000, 0, "2020-01-01", "2020-12-31", &error));
  ck_assert (till_voucher_issue (store, "V2999001", 1000, 0, "2999-01-01", NULL, &error));
  ck_assert (!till_voucher_issue (store, "V2026100", 500, 0, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
  g_clear_error (&error);

  payment = authorize (tender, "V2026001", NULL, 6000, 0, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (payment->method, "voucher");
  ck_assert_int_eq (payment->kind, TILL_TENDER_KIND_VOUCHER);
  ck_assert_int_eq (payment->amount, 1000);
  ck_assert_int_eq (payment->tendered, 1000);
  ck_assert_str_eq (payment->reference, "V2026001");
  g_clear_pointer (&payment, till_sale_payment_free);

  /* Worth more than the due: pays the due, the rest is forfeited. */
  payment = authorize (tender, " V2026100 ", NULL, 1500, 0, &error);
  ck_assert_int_eq (payment->amount, 1500);
  ck_assert_int_eq (payment->tendered, 2000);
  ck_assert_int_eq (payment->change, 0);

  /* Under the minimum spend. */
  authorize_refused (tender, "V2026001", NULL, 4999, 0, TILL_TENDER_ERROR_DECLINED);
  authorize_refused (tender, "V2020999", NULL, 1000, 0, TILL_TENDER_ERROR_DECLINED);
  authorize_refused (tender, "V2999001", NULL, 1000, 0, TILL_TENDER_ERROR_DECLINED);
  authorize_refused (tender, "V0000000", NULL, 1000, 0, TILL_TENDER_ERROR_INVALID);
  authorize_refused (tender, "", NULL, 1000, 0, TILL_TENDER_ERROR_INVALID);
  authorize_refused (tender, "V2026100", NULL, 0, 0, TILL_TENDER_ERROR_OVER_LIMIT);

  /* Redeemed once, in a sale's transaction; then refused everywhere. */
  ck_assert (till_store_begin (store, NULL));
  ck_assert (!_till_voucher_redeem (store, "V2026001", 4000, "sale-1", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED));
  g_clear_error (&error);
  ck_assert (_till_voucher_redeem (store, "V2026001", 5000, "sale-1", &error));
  ck_assert (!_till_voucher_redeem (store, "V2026001", 5000, "sale-2", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
  ck_assert_msg (strstr (error->message, "already used") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (till_store_commit (store, NULL));
  {
    g_autofree char *state = query_text ("SELECT state FROM voucher WHERE code = ?", "V2026001");
    g_autofree char *sale = query_text ("SELECT sale_uuid FROM voucher WHERE code = ?", "V2026001");

    ck_assert_str_eq (state, "redeemed");
    ck_assert_str_eq (sale, "sale-1");
  }
  authorize_refused (tender, "V2026001", NULL, 6000, 0, TILL_TENDER_ERROR_INVALID);
}
END_TEST

/* /core/tender/voucher/min-spend-paid: the minimum spend counts what the
 * cart's applied tenders paid already, not only what is still due */
START_TEST (test_voucher_min_spend_paid)
{
  g_autoptr (TillTender) tender = till_voucher_tender_new (store);
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSalePayment) card = NULL;
  g_autoptr (TillSalePayment) voucher = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert (till_voucher_issue (store, "V2026001", 1000, 5000, NULL, NULL, &error));
  add_chips (5); /* 64.00 */
  payment = till_payment_new (cart, &error);
  card = till_sale_payment_new ("card", TILL_TENDER_KIND_CARD, 3000);
  ck_assert (till_payment_add (payment, card, &error));
  ck_assert_int_eq (till_payment_get_remaining (payment), 3400);
  voucher = authorize (tender, "V2026001", NULL, till_payment_get_remaining (payment), 0, &error);
  ck_assert_msg (voucher != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (voucher->amount, 1000);
}
END_TEST

static Suite *
tender_suite (void)
{
  Suite *suite = suite_create ("core/tender");
  TCase *tc = tcase_create ("core/tender");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_kind_names);
  tcase_add_test (tc, test_payment_copy);
  tcase_add_test (tc, test_registry_order);
  tcase_add_test (tc, test_route_code);
  tcase_add_test (tc, test_cash);
  tcase_add_test (tc, test_card);
  tcase_add_test (tc, test_stored_value);
  tcase_add_test (tc, test_stored_value_ledger);
  tcase_add_test (tc, test_voucher);
  tcase_add_test (tc, test_voucher_min_spend_paid);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (tender_suite ());
}
