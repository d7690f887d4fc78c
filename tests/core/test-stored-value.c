/* test-stored-value.c: tests for src/core/till-stored-value.c: members'
 * stored value (top-ups with bonus rules) and the offline caps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

#define MEMBER_A "0190a0b0-0000-7000-8000-00000000000a"
#define MEMBER_B "0190a0b0-0000-7000-8000-00000000000b"

static char        *scratch;
static TillStore   *store;
static TillJournal *journal;
static TillUser    *cashier;

static sqlite3_int64
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
set_setting (const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_set_setting (store, key, value, &error), "%s",
                 error ? error->message : "");
}

/* A member row as till-member.c writes it, without personal data: what
 * stored value needs is the id and the masked phone. */
static void
add_member (const char *id, const char *phone_masked)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO member (id, phone_masked, registered_us, "
                                        "updated_us) VALUES (?, ?, 1, 1)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, phone_masked, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

static TillStoredValueAccount *
top_up (const char *member_id, gint64 amount, const char *method)
{
  g_autoptr (GError) error = NULL;
  TillStoredValueAccount *account =
      till_stored_value_top_up (store, journal, cashier, member_id, amount, method, &error);

  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
  return account;
}

static void
setup (void)
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
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  add_member (MEMBER_A, "138****1234");
  add_member (MEMBER_B, "139****5678");
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static gint64
bonus_for (gint64 amount)
{
  g_autoptr (GError) error = NULL;
  gint64 bonus = till_stored_value_bonus_for (store, amount, &error);

  ck_assert_msg (bonus >= 0, "%s", error ? error->message : "");
  return bonus;
}

/* /core/stored-value/bonus/default: 充100送10, 充300送40, 充500送80, the
 * highest tier reached */
START_TEST (test_bonus_default)
{
  ck_assert_int_eq (bonus_for (5000), 0);
  ck_assert_int_eq (bonus_for (9999), 0);
  ck_assert_int_eq (bonus_for (10000), 1000);
  ck_assert_int_eq (bonus_for (29999), 1000);
  ck_assert_int_eq (bonus_for (30000), 4000);
  ck_assert_int_eq (bonus_for (49999), 4000);
  ck_assert_int_eq (bonus_for (50000), 8000);
  ck_assert_int_eq (bonus_for (200000), 8000);
}
END_TEST

/* /core/stored-value/bonus/setting: the store's own rules, in any order; an
 * empty list gives none */
START_TEST (test_bonus_setting)
{
  set_setting ("stored-value.bonus",
               "[{\"min\": 50000, \"bonus\": 10000}, {\"min\": 20000, \"bonus\": 3000}]");
  ck_assert_int_eq (bonus_for (19999), 0);
  ck_assert_int_eq (bonus_for (20000), 3000);
  ck_assert_int_eq (bonus_for (49999), 3000);
  ck_assert_int_eq (bonus_for (60000), 10000);
  set_setting ("stored-value.bonus", "[]");
  ck_assert_int_eq (bonus_for (100000), 0);
}
END_TEST

/* /core/stored-value/bonus/bad-setting: a setting that is not a list of
 * rules is a clear error, not a guess */
START_TEST (test_bonus_bad_setting)
{
  const char *bad[] = {
    "充100送10",
    "{\"min\": 10000, \"bonus\": 1000}",
    "[{\"min\": \"100\", \"bonus\": 10}]",
    "[{\"min\": 10000}]",
    "[{\"min\": 10000, \"bonus\": -1}]",
    "[{\"min\": 10000, \"bonus\": 10.5}]",
    "[10000]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      set_setting ("stored-value.bonus", bad[i]);
      ck_assert_int_eq (till_stored_value_bonus_for (store, 10000, &error), -1);
      ck_assert_msg (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED), "%s",
                     bad[i]);
      ck_assert_msg (strstr (error->message, "stored-value.bonus") != NULL, "%s", error->message);
    }
}
END_TEST

/* /core/stored-value/top-up/first: the first top-up opens the member's card
 * ("88" and 14 digits) with the top-up and bonus entries, the document, its
 * journal entry and outbox row and, for cash, the drawer event */
START_TEST (test_top_up_first)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (TillStoredValueAccount) found = NULL;
  g_autoptr (TillStoredValueTopUp) document = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *payload = NULL;
  gint64           bad_seq = 0;

  found = till_stored_value_find_for_member (store, MEMBER_A, &error);
  ck_assert_ptr_null (found);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
  g_clear_error (&error);

  account = top_up (MEMBER_A, 30000, "cash");
  ck_assert_int_eq (account->balance, 34000);
  ck_assert_int_eq (strlen (account->card_no), 16);
  ck_assert (g_str_has_prefix (account->card_no, "88"));
  for (const char *p = account->card_no; *p != '\0'; p++)
    ck_assert (g_ascii_isdigit (*p));
  ck_assert (account->active);
  ck_assert_str_eq (account->holder, "138****1234");

  found = till_stored_value_find_for_member (store, MEMBER_A, &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (found->card_no, account->card_no);
  ck_assert_int_eq (found->balance, 34000);
  g_clear_pointer (&found, till_stored_value_account_free);
  found = till_stored_value_find (store, account->card_no, &error);
  ck_assert_int_eq (found->balance, 34000);

  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger WHERE kind = 'top-up' AND amount = "
                               "30000 AND user_code = '1001'",
                               NULL),
                    1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger WHERE kind = 'bonus' AND amount = "
                               "4000 AND user_code = '1001'",
                               NULL),
                    1);
  uuid = query_text ("SELECT uuid FROM sv_top_up WHERE member_id = ?", MEMBER_A);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_top_up WHERE amount = 30000 AND bonus = "
                               "4000 AND method = 'cash' AND cashier_code = '1001'",
                               NULL),
                    1);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM journal j JOIN sv_top_up t ON t.journal_seq = j.seq "
                 "WHERE j.kind = 'sv-top-up' AND j.ref_uuid = t.uuid AND t.uuid = ?",
                 uuid),
      1);
  ck_assert_int_eq (query_int ("SELECT json_extract (CAST (body AS TEXT), '$.amount') + "
                               "json_extract (CAST (body AS TEXT), '$.bonus') FROM journal "
                               "WHERE kind = 'sv-top-up' AND json_extract (CAST (body AS TEXT), "
                               "'$.member_id') = ? AND json_extract (CAST (body AS TEXT), "
                               "'$.user_code') = '1001'",
                               MEMBER_A),
                    34000);
  ck_assert (till_journal_verify (journal, &bad_seq, &error));
  payload = query_text ("SELECT CAST (payload AS TEXT) FROM outbox WHERE kind = 'sv-top-up' AND "
                        "ref_uuid = ?",
                        uuid);
  ck_assert_msg (strstr (payload, "\"method\":\"cash\"") != NULL, "%s", payload);
  ck_assert_msg (strstr (payload, "\"amount\":30000") != NULL, "%s", payload);

  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 1);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->ref_uuid, uuid);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->user_code, "1001");

  document = till_stored_value_get_top_up (store, uuid, &error);
  ck_assert_msg (document != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (document->card_no, account->card_no);
  ck_assert_str_eq (document->member_masked, "138****1234");
  ck_assert_int_eq (document->amount, 30000);
  ck_assert_int_eq (document->bonus, 4000);
  ck_assert_int_eq (document->balance_after, 34000);
  ck_assert_str_eq (document->cashier_name, "王小丽");
}
END_TEST

/* /core/stored-value/top-up/again: later top-ups go onto the same card; the
 * ledger adds up to the balance; a card payment opens no drawer; each
 * document keeps the balance after it */
START_TEST (test_top_up_again)
{
  g_autoptr (TillStoredValueAccount) first = top_up (MEMBER_A, 10000, "cash");
  g_autoptr (TillStoredValueAccount) second = top_up (MEMBER_A, 5000, "card");
  g_autoptr (TillStoredValueAccount) third = top_up (MEMBER_A, 50000, "wechat");
  g_autoptr (TillStoredValueAccount) other = top_up (MEMBER_B, 10000, "card");
  g_autoptr (GPtrArray) top_ups = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_str_eq (first->card_no, second->card_no);
  ck_assert_str_eq (first->card_no, third->card_no);
  ck_assert_str_ne (first->card_no, other->card_no);
  ck_assert_int_eq (first->balance, 11000);
  ck_assert_int_eq (second->balance, 16000);
  ck_assert_int_eq (third->balance, 74000);
  ck_assert_int_eq (query_int ("SELECT sum(l.amount) FROM sv_ledger l JOIN sv_account a ON a.id = "
                               "l.account_id WHERE a.member_id = ?",
                               MEMBER_A),
                    74000);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger WHERE kind = 'bonus'", NULL), 3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'sv-top-up'", NULL), 4);

  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 1);

  top_ups = till_stored_value_list_top_ups (store, MEMBER_A, &error);
  ck_assert_uint_eq (top_ups->len, 3);
  ck_assert_int_eq (((TillStoredValueTopUp *) top_ups->pdata[0])->balance_after, 74000);
  ck_assert_str_eq (((TillStoredValueTopUp *) top_ups->pdata[0])->method, "wechat");
  ck_assert_int_eq (((TillStoredValueTopUp *) top_ups->pdata[1])->balance_after, 16000);
  ck_assert_int_eq (((TillStoredValueTopUp *) top_ups->pdata[2])->balance_after, 11000);
}
END_TEST

/* /core/stored-value/top-up/refused: a role without TOP_UP, a bad amount,
 * an unknown or erased member and bad bonus rules write nothing */
START_TEST (test_top_up_refused)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_permission_role_set (store, journal, "9001", TILL_ROLE_CASHIER,
                                           TILL_PERMISSION_TOP_UP, FALSE, &error),
                 "%s", error ? error->message : "");
  account = till_stored_value_top_up (store, journal, cashier, MEMBER_A, 10000, "cash", &error);
  ck_assert_ptr_null (account);
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (till_permission_role_set (store, journal, "9001", TILL_ROLE_CASHIER,
                                       TILL_PERMISSION_TOP_UP, TRUE, &error));

  account = till_stored_value_top_up (store, journal, cashier, MEMBER_A, 0, "cash", &error);
  ck_assert_ptr_null (account);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
  g_clear_error (&error);

  account =
      till_stored_value_top_up (store, journal, cashier, "no-such-member", 10000, "cash", &error);
  ck_assert_ptr_null (account);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
  g_clear_error (&error);

  ck_assert_int_eq (sqlite3_exec (till_store_get_db (store),
                                  "UPDATE member SET erased_us = 5 WHERE id = '" MEMBER_B "'", NULL,
                                  NULL, NULL),
                    SQLITE_OK);
  account = till_stored_value_top_up (store, journal, cashier, MEMBER_B, 10000, "cash", &error);
  ck_assert_ptr_null (account);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
  g_clear_error (&error);

  set_setting ("stored-value.bonus", "[{\"min\": 1}");
  account = till_stored_value_top_up (store, journal, cashier, MEMBER_A, 10000, "cash", &error);
  ck_assert_ptr_null (account);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED));
  g_clear_error (&error);

  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_account", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_top_up", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'sv-top-up'", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'sv-top-up'", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM drawer_event", NULL), 0);
  ck_assert (!till_store_in_transaction (store));
}
END_TEST

/* /core/stored-value/top-up/card-number: the number derives from the member
 * id, and steps on when another card holds it */
START_TEST (test_card_number)
{
  g_autoptr (TillStoredValueAccount) first = top_up (MEMBER_A, 1000, "cash");
  g_autoptr (TillStoredValueAccount) second = NULL;

  /* The member's card is handed back (detached from them): the next top-up
   * opens a new card, and the number the member id gives is taken. */
  ck_assert_int_eq (sqlite3_exec (till_store_get_db (store),
                                  "UPDATE sv_account SET member_id = NULL", NULL, NULL, NULL),
                    SQLITE_OK);
  second = top_up (MEMBER_A, 1000, "cash");
  ck_assert_str_ne (first->card_no, second->card_no);
  ck_assert (g_str_has_prefix (second->card_no, "88"));
  ck_assert_int_eq (strlen (second->card_no), 16);
  ck_assert_int_eq (second->balance, 1000);
}
END_TEST

/* --- offline caps ------------------------------------------------------------- */

/* Enrolls the till an hour ago; its last contact with HQ was 10 minutes
 * ago: it is offline now. */
static void
go_offline (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contact = NULL;
  gint64           now_us = g_get_real_time ();
  TillSyncIdentity identity = {
    .url = (char *) "https://hq.example.com:8443",
    .till_id = (char *) "S001-01",
    .store_id = (char *) "S001",
    .epoch = 1,
    .enrolled_us = now_us - G_TIME_SPAN_HOUR,
  };

  ck_assert_msg (
      till_sync_identity_save (store, journal, &identity, now_us - G_TIME_SPAN_HOUR, &error), "%s",
      error ? error->message : "");
  ck_assert (till_sync_record_contact (store, now_us - 10 * G_TIME_SPAN_MINUTE, &error));
  ck_assert (till_sync_offline_since (store, now_us, NULL));
}

static gboolean
debit (const char *card_no, gint64 amount, const char *sale_uuid, GError **error)
{
  ck_assert (till_store_begin (store, NULL));
  if (!_till_stored_value_debit (store, card_no, amount, sale_uuid, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  ck_assert (till_store_commit (store, NULL));
  return TRUE;
}

static TillSalePayment *
authorize (TillTender *tender, const char *card_no, gint64 amount, GError **error)
{
  TillTenderRequest request = {
    .cart_uuid = "cart",
    .due = amount,
    .amount = amount,
    .input = card_no,
  };

  return till_tender_authorize (tender, &request, error);
}

/* /core/stored-value/offline/member-cap: offline, a card pays at most the
 * member cap, once per episode; the debit is marked offline */
START_TEST (test_offline_member_cap)
{
  g_autoptr (TillStoredValueAccount) account = top_up (MEMBER_A, 50000, "cash");
  g_autoptr (TillTender) tender = till_stored_value_tender_new (store);
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now_us = g_get_real_time ();

  go_offline ();
  payment = authorize (tender, account->card_no, 20001, &error);
  ck_assert_ptr_null (payment);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
  ck_assert_msg (strstr (error->message, "200.00") != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, "Offline") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!debit (account->card_no, 20001, "sale-1", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
  g_clear_error (&error);

  payment = authorize (tender, account->card_no, 15000, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_msg (debit (account->card_no, 15000, "sale-1", &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (query_int ("SELECT offline FROM sv_ledger WHERE kind = 'debit' AND "
                               "sale_uuid = ?",
                               "sale-1"),
                    1);
  /* A second payment from the card in the same sale is the same spend. */
  ck_assert_msg (debit (account->card_no, 5000, "sale-1", &error), "%s",
                 error ? error->message : "");
  ck_assert (!debit (account->card_no, 1, "sale-1", &error));
  ck_assert_msg (strstr (error->message, "0.00 left") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* Once per episode: a ¥1 payment in another sale is refused. */
  ck_assert (!till_stored_value_offline_allows (store, account->card_no, 100, now_us, &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
  g_clear_error (&error);
  g_clear_pointer (&payment, till_sale_payment_free);
  payment = authorize (tender, account->card_no, 100, &error);
  ck_assert_ptr_null (payment);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
  g_clear_error (&error);
  ck_assert (!debit (account->card_no, 100, "sale-2", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger WHERE kind = 'debit'", NULL), 2);
}
END_TEST

/* /core/stored-value/offline/member-cap-setting: the store sets the cap */
START_TEST (test_offline_member_cap_setting)
{
  g_autoptr (TillStoredValueAccount) account = top_up (MEMBER_A, 50000, "cash");
  g_autoptr (GError) error = NULL;
  gint64 now_us = g_get_real_time ();

  go_offline ();
  set_setting ("stored-value.offline-member-cap", "5000");
  ck_assert (till_stored_value_offline_allows (store, account->card_no, 5000, now_us, &error));
  ck_assert (!till_stored_value_offline_allows (store, account->card_no, 5001, now_us, &error));
  ck_assert_msg (strstr (error->message, "50.00") != NULL, "%s", error->message);
}
END_TEST

/* /core/stored-value/offline/till-cap: all cards together pay at most the
 * till cap per episode */
START_TEST (test_offline_till_cap)
{
  g_autoptr (TillStoredValueAccount) a = top_up (MEMBER_A, 50000, "cash");
  g_autoptr (TillStoredValueAccount) b = top_up (MEMBER_B, 50000, "cash");
  g_autoptr (GError) error = NULL;
  gint64 now_us = g_get_real_time ();

  go_offline ();
  set_setting ("stored-value.offline-till-cap", "30000");
  ck_assert_msg (debit (a->card_no, 20000, "sale-a", &error), "%s", error ? error->message : "");
  ck_assert (!till_stored_value_offline_allows (store, b->card_no, 15000, now_us, &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
  ck_assert_msg (strstr (error->message, "300.00") != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, "100.00 left") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!debit (b->card_no, 15000, "sale-b", &error));
  g_clear_error (&error);
  ck_assert_msg (debit (b->card_no, 10000, "sale-b", &error), "%s", error ? error->message : "");
  ck_assert_int_eq (query_int ("SELECT -sum(amount) FROM sv_ledger WHERE offline = 1", NULL),
                    30000);
}
END_TEST

/* /core/stored-value/offline/rechecked: the debit checks the caps again in
 * the sale's transaction (another sale used them since the authorize) */
START_TEST (test_offline_rechecked)
{
  g_autoptr (TillStoredValueAccount) account = top_up (MEMBER_A, 50000, "cash");
  g_autoptr (TillTender) tender = till_stored_value_tender_new (store);
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (GError) error = NULL;

  go_offline ();
  payment = authorize (tender, account->card_no, 3000, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert (debit (account->card_no, 2000, "held-sale", &error));
  ck_assert (!debit (account->card_no, payment->amount, "this-sale", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT));
}
END_TEST

/* /core/stored-value/offline/contact: a contact with HQ ends the episode:
 * debits are online again, and the next episode starts from nothing */
START_TEST (test_offline_contact)
{
  g_autoptr (TillStoredValueAccount) account = top_up (MEMBER_A, 50000, "cash");
  g_autoptr (GError) error = NULL;
  gint64 now_us = g_get_real_time ();

  go_offline ();
  ck_assert (debit (account->card_no, 20000, "sale-1", &error));
  ck_assert (!till_stored_value_offline_allows (store, account->card_no, 100, now_us, &error));
  g_clear_error (&error);

  ck_assert (till_sync_record_contact (store, g_get_real_time (), &error));
  ck_assert (till_stored_value_offline_allows (store, account->card_no, 30000, now_us, &error));
  ck_assert (debit (account->card_no, 25000, "sale-2", &error));
  ck_assert_int_eq (query_int ("SELECT offline FROM sv_ledger WHERE sale_uuid = ?", "sale-2"), 0);

  /* Ten minutes later without contact: a new episode, which counts only the
   * debits after the last contact. */
  ck_assert (till_sync_offline_since (store, now_us + 10 * G_TIME_SPAN_MINUTE, NULL));
  ck_assert_msg (till_stored_value_offline_allows (store, account->card_no, 5000,
                                                   now_us + 10 * G_TIME_SPAN_MINUTE, &error),
                 "%s", error ? error->message : "");
}
END_TEST

/* /core/stored-value/offline/standalone: a till never enrolled owns its
 * ledger: no caps, nothing marked offline */
START_TEST (test_offline_standalone)
{
  g_autoptr (TillStoredValueAccount) account = top_up (MEMBER_A, 100000, "cash");
  g_autoptr (GError) error = NULL;
  gint64 now_us = g_get_real_time ();

  ck_assert (!till_sync_offline_since (store, now_us, NULL));
  ck_assert (till_stored_value_offline_allows (store, account->card_no, 100000, now_us, &error));
  ck_assert (debit (account->card_no, 50000, "sale-1", &error));
  ck_assert (debit (account->card_no, 50000, "sale-2", &error));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sv_ledger WHERE offline = 1", NULL), 0);
}
END_TEST

/* /core/stored-value/balance-after-sale: the balance right after a sale's
 * debit stays what it was when later entries come */
START_TEST (test_balance_after_sale)
{
  g_autoptr (TillStoredValueAccount) account = top_up (MEMBER_A, 10000, "cash");
  g_autoptr (GError) error = NULL;

  ck_assert (debit (account->card_no, 3000, "sale-1", &error));
  ck_assert_int_eq (
      till_stored_value_balance_after_sale (store, account->card_no, "sale-1", &error), 8000);
  g_usleep (2);
  ck_assert (debit (account->card_no, 1000, "sale-2", &error));
  g_clear_pointer (&account, till_stored_value_account_free);
  account = top_up (MEMBER_A, 10000, "cash");
  ck_assert_int_eq (
      till_stored_value_balance_after_sale (store, account->card_no, "sale-1", &error), 8000);
  ck_assert_int_eq (
      till_stored_value_balance_after_sale (store, account->card_no, "sale-2", &error), 7000);
  ck_assert_int_eq (
      till_stored_value_balance_after_sale (store, account->card_no, "sale-x", &error), -1);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
}
END_TEST

static Suite *
stored_value_suite (void)
{
  Suite *suite = suite_create ("core/stored-value");
  TCase *tc;

  tc = tcase_create ("bonus");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_bonus_default);
  tcase_add_test (tc, test_bonus_setting);
  tcase_add_test (tc, test_bonus_bad_setting);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("top-up");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_top_up_first);
  tcase_add_test (tc, test_top_up_again);
  tcase_add_test (tc, test_top_up_refused);
  tcase_add_test (tc, test_card_number);
  tcase_add_test (tc, test_balance_after_sale);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("offline");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_offline_member_cap);
  tcase_add_test (tc, test_offline_member_cap_setting);
  tcase_add_test (tc, test_offline_till_cap);
  tcase_add_test (tc, test_offline_rechecked);
  tcase_add_test (tc, test_offline_contact);
  tcase_add_test (tc, test_offline_standalone);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (stored_value_suite ());
}
