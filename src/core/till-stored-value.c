/* till-stored-value.c: stored-value cards (储值卡), their ledger and tender
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-stored-value"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-cart.h"
#include "till-drawer.h"
#include "till-journal.h"
#include "till-local-tenders.h"
#include "till-money.h"
#include "till-outbox.h"
#include "till-permission.h"
#include "till-shift.h"
#include "till-store.h"
#include "till-sync-state.h"
#include "till-user.h"
#include "till-uuid.h"

/* A card's balance is the sum of its ledger entries on this till, checked
 * again inside the sale's transaction, so one till never spends a balance
 * twice. A standalone till owns its ledger. An enrolled till shares the
 * cards with the chain's other tills through HQ: while it has no contact
 * with HQ (till_sync_offline_since) another till may be spending the same
 * balance, so offline debits are escrow-capped (SYNC.md §6.6): per card once
 * and up to a cap per offline episode, and up to a cap for the whole till;
 * they are marked offline = 1 so that HQ and the caps can tell them apart. */

/* The store's defaults (SYNC.md §6.6): ¥200 per member, ¥2,000 per till. */
#define DEFAULT_OFFLINE_MEMBER_CAP 20000
#define DEFAULT_OFFLINE_TILL_CAP 200000

/* 充100送10, 充300送40, 充500送80. */
#define DEFAULT_BONUS_RULES                                         \
  "[{\"min\":10000,\"bonus\":1000},{\"min\":30000,\"bonus\":4000}," \
  "{\"min\":50000,\"bonus\":8000}]"

/* Members' cards are numbered "88" and 14 digits from the member id. */
#define MEMBER_CARD_PREFIX "88"
#define MEMBER_CARD_DIGITS 14

#define TILL_TYPE_STORED_VALUE_TENDER (till_stored_value_tender_get_type ())
G_DECLARE_FINAL_TYPE (
    TillStoredValueTender, till_stored_value_tender, TILL, STORED_VALUE_TENDER, GObject)

struct _TillStoredValueTender
{
  GObject    parent_instance;
  TillStore *store;
};

static void tender_iface_init (TillTenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillStoredValueTender,
                               till_stored_value_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER, tender_iface_init))

/* Reads the card @card_no (or, @by_member, the card of member @key),
 * active or not; NULL with @error unset when there is none. */
static TillStoredValueAccount *
read_account_by (TillStore *store, gboolean by_member, const char *key, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  TillStoredValueAccount *account;
  int                     rc;

  stmt = till_store_prepare (store,
                             by_member ? "SELECT a.id, a.card_no, a.holder, a.active, "
                                         "(SELECT coalesce(sum(l.amount), 0) FROM sv_ledger l "
                                         "WHERE l.account_id = a.id) FROM sv_account a "
                                         "WHERE a.member_id = ?"
                                       : "SELECT a.id, a.card_no, a.holder, a.active, "
                                         "(SELECT coalesce(sum(l.amount), 0) FROM sv_ledger l "
                                         "WHERE l.account_id = a.id) FROM sv_account a "
                                         "WHERE a.card_no = ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the stored-value card"));
      return NULL;
    }
  account = g_new0 (TillStoredValueAccount, 1);
  account->id = sqlite3_column_int64 (stmt, 0);
  account->card_no = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  account->holder = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  account->active = sqlite3_column_int (stmt, 3) != 0;
  account->balance = sqlite3_column_int64 (stmt, 4);
  return account;
}

static TillStoredValueAccount *
read_account (TillStore *store, const char *card_no, GError **error)
{
  return read_account_by (store, FALSE, card_no, error);
}

static gboolean
insert_entry (TillStore  *store,
              gint64      account_id,
              const char *kind,
              gint64      amount,
              const char *sale_uuid,
              const char *return_uuid,
              gboolean    offline,
              const char *user_code,
              gint64      created_us,
              GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *op_uuid = till_uuid_v7_new ();

  stmt = till_store_prepare (store,
                             "INSERT INTO sv_ledger (op_uuid, account_id, kind, amount, sale_uuid, "
                             "return_uuid, offline, user_code, created_us) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, amount);
  sqlite3_bind_text (stmt, 5, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, return_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, offline ? 1 : 0);
  sqlite3_bind_text (stmt, 8, user_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, created_us);
  return till_store_step_done (store, stmt, error);
}

/* A cap in fen from the settings; @fallback when unset. A cap the store
 * typed wrong falls back to the default (logged): the default is the
 * chain's policy, and refusing every offline card would be worse. */
static gint64
get_cap_setting (TillStore *store, const char *key, gint64 fallback)
{
  g_autofree char *text = till_store_get_setting (store, key);
  gint64           value = 0;

  if (text == NULL || *text == '\0')
    return fallback;
  if (!g_ascii_string_to_signed (g_strstrip (text), 10, 0, G_MAXINT64, &value, NULL))
    {
      g_message ("Setting %s is not an amount in fen (“%s”); using %" G_GINT64_FORMAT, key, text,
                 fallback);
      return fallback;
    }
  return value;
}

/* What the till has already paid offline since @since_us: from @account_id
 * (the debits of sales other than @sale_uuid, and the fen of all of them)
 * and from every card. */
static gboolean
read_offline_spent (TillStore  *store,
                    gint64      account_id,
                    const char *sale_uuid,
                    gint64      since_us,
                    gint64     *out_card_spends,
                    gint64     *out_card_fen,
                    gint64     *out_till_fen,
                    GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (
      store,
      "SELECT count(DISTINCT CASE WHEN account_id = ?1 AND sale_uuid IS NOT ?2 "
      "                      THEN coalesce(sale_uuid, op_uuid) END), "
      "       coalesce(-sum(CASE WHEN account_id = ?1 THEN amount END), 0), "
      "       coalesce(-sum(amount), 0) "
      "FROM sv_ledger WHERE kind = 'debit' AND offline = 1 AND created_us >= ?3",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_text (stmt, 2, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, since_us);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the offline stored-value spending"));
      return FALSE;
    }
  *out_card_spends = sqlite3_column_int64 (stmt, 0);
  *out_card_fen = sqlite3_column_int64 (stmt, 1);
  *out_till_fen = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/* The offline caps for paying @amount from @account (see the top of the
 * file) as part of @sale_uuid (NULL: not yet recorded). *out_offline says
 * whether the till is offline, so the debit is marked. */
static gboolean
check_offline_caps (TillStore                    *store,
                    const TillStoredValueAccount *account,
                    gint64                        amount,
                    const char                   *sale_uuid,
                    gint64                        now_us,
                    gboolean                     *out_offline,
                    GError                      **error)
{
  gint64 since_us = 0;
  gint64 card_spends = 0;
  gint64 card_fen = 0;
  gint64 till_fen = 0;
  gint64 member_cap;
  gint64 till_cap;

  *out_offline = till_sync_offline_since (store, now_us, &since_us);
  if (!*out_offline)
    return TRUE;

  member_cap =
      get_cap_setting (store, "stored-value.offline-member-cap", DEFAULT_OFFLINE_MEMBER_CAP);
  till_cap = get_cap_setting (store, "stored-value.offline-till-cap", DEFAULT_OFFLINE_TILL_CAP);
  if (!read_offline_spent (store, account->id, sale_uuid, since_us, &card_spends, &card_fen,
                           &till_fen, error))
    return FALSE;

  if (card_spends > 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Offline: this card has paid once already since the till lost contact with "
                      "HQ; it can pay again when the till is back online"));
      return FALSE;
    }
  if (card_fen + amount > member_cap)
    {
      g_autofree char *cap_text = till_money_format_yuan (member_cap);
      g_autofree char *left_text = till_money_format_yuan (MAX (member_cap - card_fen, 0));

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Offline: this card can pay at most %s until the till is back online; %s "
                      "left"),
                   cap_text, left_text);
      return FALSE;
    }
  if (till_fen + amount > till_cap)
    {
      g_autofree char *cap_text = till_money_format_yuan (till_cap);
      g_autofree char *left_text = till_money_format_yuan (MAX (till_cap - till_fen, 0));

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("Offline: this till can take at most %s from stored-value cards until it "
                      "is back online; %s left"),
                   cap_text, left_text);
      return FALSE;
    }
  return TRUE;
}

/* The bonus rules' JSON, checked rule by rule with SQLite's JSON functions:
 * the bonus of the rule with the highest min that @top_up reaches. */
static gint64
bonus_from_rules (TillStore *store, const char *rules, gint64 top_up, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64 best_min = -1;
  gint64 bonus = 0;
  int    rc;

  stmt =
      till_store_prepare (store, "SELECT CASE WHEN json_valid (?1) THEN json_type (?1) END", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, rules, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the stored-value bonus rules"));
      return -1;
    }
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "array") != 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("The setting stored-value.bonus is not a JSON list of rules like "
                      "[{\"min\": 10000, \"bonus\": 1000}]"));
      return -1;
    }
  g_clear_pointer (&stmt, till_stmt_release);

  stmt = till_store_prepare (store,
                             "SELECT key, json_type (value), json_type (value, '$.min'), "
                             "json_extract (value, '$.min'), json_type (value, '$.bonus'), "
                             "json_extract (value, '$.bonus') FROM json_each (?1)",
                             error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, rules, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 index = sqlite3_column_int64 (stmt, 0);
      gint64 min = sqlite3_column_int64 (stmt, 3);
      gint64 rule_bonus = sqlite3_column_int64 (stmt, 5);

      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "object") != 0 ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "integer") != 0 ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "integer") != 0 || min <= 0 ||
          rule_bonus < 0)
        {
          g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                       _ ("Rule %" PRId64 " of the setting stored-value.bonus needs a "
                          "\"min\" above 0 and a \"bonus\" of 0 or more, both in fen"),
                       index + 1);
          return -1;
        }
      if (top_up >= min && min > best_min)
        {
          best_min = min;
          bonus = rule_bonus;
        }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the stored-value bonus rules"));
      return -1;
    }
  return bonus;
}

/* Whether @member_id is a member whose data was not erased; with their
 * masked name or phone as the card's holder. */
static char *
read_member_holder (TillStore *store, const char *member_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  const char *name;
  int         rc;

  stmt = till_store_prepare (
      store, "SELECT name_masked, phone_masked, erased_us FROM member WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID, _ ("No member %s"),
                   member_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member"));
      return NULL;
    }
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The member’s data was erased: their card cannot be topped up"));
      return NULL;
    }
  name = (const char *) sqlite3_column_text (stmt, 0);
  if (name != NULL && *name != '\0')
    return g_strdup (name);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 1));
}

/* "88" and 14 digits from the SHA-256 of the member id: stable, so the same
 * member gets the same number on every till; @attempt > 0 steps past a
 * number another card holds. */
static char *
member_card_number (const char *member_id, guint attempt)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8  digest[32];
  gsize   digest_len = sizeof digest;
  guint64 number = 0;
  guint64 modulus = 1;

  g_checksum_update (checksum, (const guchar *) member_id, -1);
  if (attempt > 0)
    {
      g_autofree char *salt = g_strdup_printf (":%u", attempt);

      g_checksum_update (checksum, (const guchar *) salt, -1);
    }
  g_checksum_get_digest (checksum, digest, &digest_len);
  for (guint i = 0; i < 8; i++)
    number = (number << 8) | digest[i];
  for (guint i = 0; i < MEMBER_CARD_DIGITS; i++)
    modulus *= 10;
  return g_strdup_printf (MEMBER_CARD_PREFIX "%014" G_GUINT64_FORMAT, number % modulus);
}

/* Opens @member_id's card under a number no other card holds. */
static TillStoredValueAccount *
open_member_card (TillStore *store, const char *member_id, const char *holder, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char        *card_no = NULL;
  TillStoredValueAccount *account;

  for (guint attempt = 0; card_no == NULL && attempt < 100; attempt++)
    {
      g_autofree char *candidate = member_card_number (member_id, attempt);
      g_autoptr (TillStoredValueAccount) taken = NULL;
      g_autoptr (GError) local_error = NULL;

      taken = read_account (store, candidate, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (taken == NULL)
        card_no = g_steal_pointer (&candidate);
    }
  if (card_no == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                   _ ("Cannot find a free stored-value card number for the member"));
      return NULL;
    }

  stmt =
      till_store_prepare (store,
                          "INSERT INTO sv_account (card_no, holder, active, created_us, member_id) "
                          "VALUES (?, ?, 1, ?, ?)",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, card_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, holder, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  sqlite3_bind_text (stmt, 4, member_id, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return NULL;

  account = g_new0 (TillStoredValueAccount, 1);
  account->id = sqlite3_last_insert_rowid (till_store_get_db (store));
  account->card_no = g_steal_pointer (&card_no);
  account->holder = g_strdup (holder);
  account->active = TRUE;
  account->balance = 0;
  return account;
}

static gboolean
insert_top_up (TillStore  *store,
               const char *uuid,
               gint64      account_id,
               const char *member_id,
               gint64      amount,
               gint64      bonus,
               const char *method,
               const char *cashier_code,
               gint64      created_us,
               gint64      journal_seq,
               const char *shift_uuid,
               const char *day_uuid,
               GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO sv_top_up (uuid, account_id, member_id, amount, bonus, "
                             "method, cashier_code, created_us, journal_seq, shift_uuid, day_uuid) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_text (stmt, 3, member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, amount);
  sqlite3_bind_int64 (stmt, 5, bonus);
  sqlite3_bind_text (stmt, 6, method, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, cashier_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, created_us);
  sqlite3_bind_int64 (stmt, 9, journal_seq);
  sqlite3_bind_text (stmt, 10, shift_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, day_uuid, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  /* The money taken, without the bonus: that is what the drawer or the
   * terminal holds. */
  {
    g_autofree char *metric = g_strconcat ("top-up:", method, NULL);

    return _till_shift_tally (store, shift_uuid, day_uuid, "top-up", 1, amount, error) &&
           _till_shift_tally (store, shift_uuid, day_uuid, metric, 1, amount, error);
  }
}

/* The top-up itself, inside the transaction till_stored_value_top_up
 * opened. */
static TillStoredValueAccount *
top_up_in_transaction (TillStore   *store,
                       TillJournal *journal,
                       TillUser    *user,
                       const char  *member_id,
                       gint64       amount,
                       const char  *method,
                       GError     **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) body_bytes = NULL;
  g_autofree char *holder = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  g_autofree char *hash_hex = NULL;
  g_autofree char *body_json = NULL;
  g_autofree char *shift_uuid = NULL;
  g_autofree char *day_uuid = NULL;
  const char      *user_code = till_user_get_code (user);
  guint8           journal_hash[TILL_JOURNAL_HASH_LEN];
  gint64           journal_seq = 0;
  gint64           created_us = g_get_real_time ();
  gint64           bonus;
  GString         *body;

  /* A shift being closed takes no money. */
  if (!_till_shift_attach (store, &shift_uuid, &day_uuid, error))
    return NULL;
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_TOP_UP, 0, NULL, error))
    return NULL;
  holder = read_member_holder (store, member_id, error);
  if (holder == NULL)
    return NULL;
  bonus = till_stored_value_bonus_for (store, amount, error);
  if (bonus < 0)
    return NULL;

  account = read_account_by (store, TRUE, member_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (account == NULL)
    {
      account = open_member_card (store, member_id, holder, error);
      if (account == NULL)
        return NULL;
    }
  else if (!account->active)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value card %s is blocked"), account->card_no);
      return NULL;
    }

  if (!insert_entry (store, account->id, "top-up", amount, NULL, NULL, FALSE, user_code, created_us,
                     error))
    return NULL;
  if (bonus > 0 && !insert_entry (store, account->id, "bonus", bonus, NULL, NULL, FALSE, user_code,
                                  created_us, error))
    return NULL;
  account->balance += amount + bonus;

  /* The balance after it goes into the journal: the slip and its reprints
   * print it from there. */
  body = g_string_new ("{");
  _till_json_add_string (body, "uuid", uuid);
  _till_json_add_string (body, "member_id", member_id);
  _till_json_add_string (body, "card_no", account->card_no);
  _till_json_add_int (body, "amount", amount);
  _till_json_add_int (body, "bonus", bonus);
  _till_json_add_int (body, "balance_after", account->balance);
  _till_json_add_string (body, "method", method);
  _till_json_add_user (body, user);
  _till_json_add_int (body, "created_us", created_us);
  g_string_append_c (body, '}');
  body_bytes = g_string_free_to_bytes (body);
  if (!till_journal_append (journal, "sv-top-up", uuid, created_us, body_bytes, &journal_seq,
                            journal_hash, error))
    return NULL;
  if (!insert_top_up (store, uuid, account->id, member_id, amount, bonus, method, user_code,
                      created_us, journal_seq, shift_uuid, day_uuid, error))
    return NULL;
  body_json = g_strndup (g_bytes_get_data (body_bytes, NULL), g_bytes_get_size (body_bytes));
  hash_hex = till_journal_hash_to_hex (journal_hash);
  if (!till_outbox_append (store, "sv-top-up", "sv_top_up", uuid, body_json, journal_seq, hash_hex,
                           created_us, error))
    return NULL;
  /* The drawer log has no "top-up" reason: cash taken in for a top-up is
   * logged as a sale's opening, naming the top-up. */
  if (g_str_equal (method, "cash") &&
      till_drawer_record_open (store, TILL_DRAWER_REASON_SALE, uuid, user_code, error) == 0)
    return NULL;
  return g_steal_pointer (&account);
}

static TillStoredValueTopUp *
top_up_from_row (TillStmt *stmt)
{
  TillStoredValueTopUp *top_up = g_new0 (TillStoredValueTopUp, 1);

  top_up->uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  top_up->card_no = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  top_up->member_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  top_up->member_masked = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  top_up->amount = sqlite3_column_int64 (stmt, 4);
  top_up->bonus = sqlite3_column_int64 (stmt, 5);
  top_up->balance_after = sqlite3_column_int64 (stmt, 6);
  top_up->method = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  top_up->cashier_code = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  top_up->cashier_name = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  top_up->created_us = sqlite3_column_int64 (stmt, 10);
  return top_up;
}

#define TOP_UP_SELECT                                                                        \
  "SELECT t.uuid, a.card_no, t.member_id, coalesce(m.phone_masked, ''), t.amount, t.bonus, " \
  "json_extract (CAST (j.body AS TEXT), '$.balance_after'), t.method, t.cashier_code, "      \
  "coalesce(u.name, ''), t.created_us FROM sv_top_up t "                                     \
  "JOIN sv_account a ON a.id = t.account_id JOIN journal j ON j.seq = t.journal_seq "        \
  "LEFT JOIN member m ON m.id = t.member_id LEFT JOIN user u ON u.code = t.cashier_code "

static gboolean
balance_too_low (GError **error, gint64 balance)
{
  g_autofree char *balance_text = till_money_format_yuan (balance);

  g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
               _ ("The card's balance is %s"), balance_text);
  return FALSE;
}

static TillSalePayment *
authorize (TillTender *tender, const TillTenderRequest *request, GError **error)
{
  TillStoredValueTender *self = (TillStoredValueTender *) tender;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autofree char *card_no = g_strstrip (g_strdup (request->input != NULL ? request->input : ""));
  TillSalePayment *payment;
  gint64           amount;

  if (*card_no == '\0')
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Swipe or key the stored-value card"));
      return NULL;
    }
  account = till_stored_value_find (self->store, card_no, error);
  if (account == NULL)
    return NULL;
  amount = MIN (request->amount, request->due);
  if (amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   request->due <= 0 ? _ ("Nothing is left to pay")
                                     : _ ("Enter the amount paid from the card"));
      return NULL;
    }
  if (amount > account->balance)
    {
      balance_too_low (error, account->balance);
      return NULL;
    }
  if (!till_stored_value_offline_allows (self->store, account->card_no, amount, g_get_real_time (),
                                         error))
    return NULL;
  payment = till_sale_payment_new ("stored-value", TILL_TENDER_KIND_STORED_VALUE, amount);
  payment->reference = g_strdup (account->card_no);
  payment->account = till_stored_value_mask_card (account->card_no);
  return payment;
}

static const char *
get_id (TillTender *tender)
{
  return "stored-value";
}

static char *
dup_label (TillTender *tender)
{
  return g_strdup (_ ("Stored value"));
}

static TillTenderKind
get_kind (TillTender *tender)
{
  return TILL_TENDER_KIND_STORED_VALUE;
}

static void
tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = get_id;
  iface->dup_label = dup_label;
  iface->get_kind = get_kind;
  iface->authorize = authorize;
  /* No release: nothing is debited before the sale's own transaction. */
}

static void
till_stored_value_tender_dispose (GObject *object)
{
  TillStoredValueTender *self = (TillStoredValueTender *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_stored_value_tender_parent_class)->dispose (object);
}

static void
till_stored_value_tender_class_init (TillStoredValueTenderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = till_stored_value_tender_dispose;
}

static void
till_stored_value_tender_init (TillStoredValueTender *self)
{
}

void
till_stored_value_top_up_free (TillStoredValueTopUp *top_up)
{
  if (top_up == NULL)
    return;
  g_free (top_up->uuid);
  g_free (top_up->card_no);
  g_free (top_up->member_id);
  g_free (top_up->member_masked);
  g_free (top_up->method);
  g_free (top_up->cashier_code);
  g_free (top_up->cashier_name);
  g_free (top_up);
}

void
till_stored_value_account_free (TillStoredValueAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->card_no);
  g_free (account->holder);
  g_free (account);
}

/**
 * till_stored_value_find:
 * @card_no: the card number as swiped or keyed
 *
 * Returns: (transfer full): the active card with its balance, or %NULL with
 *   @error set (TILL_TENDER_ERROR_INVALID for an unknown or blocked card)
 */
TillStoredValueAccount *
till_stored_value_find (TillStore *store, const char *card_no, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (card_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  account = read_account (store, card_no, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (account == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("No stored-value card %s"), card_no);
      return NULL;
    }
  if (!account->active)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value card %s is blocked"), card_no);
      return NULL;
    }
  return g_steal_pointer (&account);
}

/**
 * till_stored_value_mask_card:
 *
 * Returns: (transfer full): the card number for the screen and receipt: the
 *   first and last four digits ("8800****0012"); a short number shows only
 *   its last four
 */
char *
till_stored_value_mask_card (const char *card_no)
{
  size_t length;

  g_return_val_if_fail (card_no != NULL, NULL);

  length = strlen (card_no);
  if (length > 8)
    return g_strdup_printf ("%.4s****%s", card_no, card_no + length - 4);
  if (length > 4)
    return g_strconcat ("****", card_no + length - 4, NULL);
  return g_strdup ("****");
}

/**
 * till_stored_value_open:
 * @top_up: fen paid in, > 0
 * @bonus: fen given on top (充100送10), ≥ 0
 *
 * Opens a card with its first top-up and bonus, one ledger entry each, in one
 * transaction (or the caller's).
 *
 * Returns: %TRUE when opened; %FALSE with @error set (TILL_TENDER_ERROR_INVALID
 *   when the number is taken)
 */
gboolean
till_stored_value_open (TillStore  *store,
                        const char *card_no,
                        const char *holder,
                        gint64      top_up,
                        gint64      bonus,
                        GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStoredValueAccount) existing = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean own_transaction;
  gint64   account_id;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (card_no != NULL && *card_no != '\0', FALSE);
  g_return_val_if_fail (holder != NULL, FALSE);
  g_return_val_if_fail (top_up > 0 && bonus >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return FALSE;
  existing = read_account (store, card_no, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto failed;
    }
  if (existing != NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value card %s exists already"), card_no);
      goto failed;
    }

  stmt = till_store_prepare (store,
                             "INSERT INTO sv_account (card_no, holder, active, created_us) "
                             "VALUES (?, ?, 1, ?)",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, card_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, holder, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  if (!till_store_step_done (store, stmt, error))
    goto failed;
  account_id = sqlite3_last_insert_rowid (till_store_get_db (store));
  if (!insert_entry (store, account_id, "top-up", top_up, NULL, NULL, FALSE, NULL,
                     g_get_real_time (), error))
    goto failed;
  if (bonus > 0 && !insert_entry (store, account_id, "bonus", bonus, NULL, NULL, FALSE, NULL,
                                  g_get_real_time (), error))
    goto failed;
  if (own_transaction && !till_store_commit (store, error))
    goto failed;
  return TRUE;

failed:
  if (own_transaction)
    till_store_rollback (store);
  return FALSE;
}

/**
 * till_stored_value_tender_new:
 *
 * Returns: (transfer full): the "stored-value" tender on @store's ledger
 */
TillTender *
till_stored_value_tender_new (TillStore *store)
{
  TillStoredValueTender *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_STORED_VALUE_TENDER, NULL);
  self->store = g_object_ref (store);
  return TILL_TENDER (self);
}

/**
 * _till_stored_value_debit:
 * @amount: fen paid from the card, > 0
 * @sale_uuid: the sale it pays
 *
 * Inside the sale's transaction: checks the balance again (another sale may
 * have spent it since the tender was authorized) and writes the debit.
 *
 * Returns: %TRUE when debited; %FALSE with @error set
 *   (TILL_TENDER_ERROR_OVER_LIMIT when the balance no longer covers @amount)
 */
gboolean
_till_stored_value_debit (
    TillStore *store, const char *card_no, gint64 amount, const char *sale_uuid, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  gint64   now_us = g_get_real_time ();
  gboolean offline = FALSE;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (card_no == NULL || amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value tender names no card or amount"));
      return FALSE;
    }
  account = till_stored_value_find (store, card_no, error);
  if (account == NULL)
    return FALSE;
  if (account->balance < amount)
    return balance_too_low (error, account->balance);
  /* Checked again here: another sale on this till may have used the
   * offline allowance since the tender was authorized. */
  if (!check_offline_caps (store, account, amount, sale_uuid, now_us, &offline, error))
    return FALSE;
  return insert_entry (store, account->id, "debit", -amount, sale_uuid, NULL, offline, NULL, now_us,
                       error);
}

/**
 * _till_stored_value_credit:
 * @amount: fen refunded to the card, > 0
 * @return_uuid: the return it refunds
 *
 * Inside the return's transaction: puts @amount back on the card, blocked or
 * not (the money is the holder's either way).
 *
 * Returns: %TRUE when credited; %FALSE with @error set
 */
gboolean
_till_stored_value_credit (
    TillStore *store, const char *card_no, gint64 amount, const char *return_uuid, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (card_no == NULL || amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The stored-value refund names no card or amount"));
      return FALSE;
    }
  account = read_account (store, card_no, &local_error);
  if (account == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                     _ ("No stored-value card %s"), card_no);
      return FALSE;
    }
  return insert_entry (store, account->id, "credit", amount, NULL, return_uuid, FALSE, NULL,
                       g_get_real_time (), error);
}

/**
 * till_stored_value_find_for_member:
 * @member_id: a member's id
 *
 * Returns: (transfer full): the member's card with its balance, active or
 *   blocked, or %NULL with @error set (TILL_TENDER_ERROR_INVALID when the
 *   member has no card yet)
 */
TillStoredValueAccount *
till_stored_value_find_for_member (TillStore *store, const char *member_id, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  account = read_account_by (store, TRUE, member_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (account == NULL)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The member has no stored-value card yet"));
      return NULL;
    }
  return g_steal_pointer (&account);
}

/**
 * till_stored_value_bonus_for:
 * @top_up: fen paid in
 *
 * The bonus by the setting "stored-value.bonus" (unset: 充100送10, 充300送40,
 * 充500送80); an empty list gives no bonus.
 *
 * Returns: the bonus in fen, or -1 with @error set
 *   (TILL_TENDER_ERROR_FAILED, saying what is wrong, when the setting is not
 *   a list of rules)
 */
gint64
till_stored_value_bonus_for (TillStore *store, gint64 top_up, GError **error)
{
  g_autofree char *rules = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  rules = till_store_get_setting (store, "stored-value.bonus");
  if (rules == NULL || *g_strstrip (rules) == '\0')
    {
      g_free (rules);
      rules = g_strdup (DEFAULT_BONUS_RULES);
    }
  return bonus_from_rules (store, rules, top_up, error);
}

/**
 * till_stored_value_top_up:
 * @journal: the till's journal, on @store
 * @user: the cashier taking the money (TILL_PERMISSION_TOP_UP)
 * @member_id: whose card
 * @amount: fen paid in, > 0
 * @method: how it was paid: a tender id ("cash", "card", "wechat", …)
 *
 * Takes the money onto the member's card with its bonus, in one transaction
 * of its own (see till-local-tenders.h). Not offline-capped: it adds to the
 * balance and reaches HQ through the outbox like a sale.
 *
 * Returns: (transfer full): the card after the top-up, or %NULL with @error
 *   set (a TILL_PERMISSION_ERROR when @user may not; TILL_TENDER_ERROR_INVALID
 *   for a bad amount, an unknown or erased member or a blocked card)
 */
TillStoredValueAccount *
till_stored_value_top_up (TillStore   *store,
                          TillJournal *journal,
                          TillUser    *user,
                          const char  *member_id,
                          gint64       amount,
                          const char  *method,
                          GError     **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (till_journal_get_store (journal) == store, NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (amount <= 0)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Enter the amount to top up"));
      return NULL;
    }
  if (*method == '\0')
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Choose how the top-up is paid"));
      return NULL;
    }

  if (!till_store_begin (store, error))
    return NULL;
  account = top_up_in_transaction (store, journal, user, member_id, amount, method, error);
  if (account == NULL || !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&account);
}

/**
 * till_stored_value_offline_allows:
 * @card_no: the card to pay from
 * @amount: fen to pay from it
 * @now_us: now
 *
 * The offline caps (see till-local-tenders.h) for paying @amount from
 * @card_no now. The tender checks them when it is authorized, the sale's
 * debit again in its transaction.
 *
 * Returns: %TRUE when the till is online, standalone, or within the caps;
 *   %FALSE with @error set otherwise (TILL_TENDER_ERROR_OVER_LIMIT naming
 *   the cap and what is left; TILL_TENDER_ERROR_INVALID for an unknown card)
 */
gboolean
till_stored_value_offline_allows (
    TillStore *store, const char *card_no, gint64 amount, gint64 now_us, GError **error)
{
  g_autoptr (TillStoredValueAccount) account = NULL;
  gboolean offline = FALSE;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (card_no != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The common case, online or standalone, reads settings only. */
  if (!till_sync_offline_since (store, now_us, NULL))
    return TRUE;
  account = till_stored_value_find (store, card_no, error);
  if (account == NULL)
    return FALSE;
  return check_offline_caps (store, account, amount, NULL, now_us, &offline, error);
}

/**
 * till_stored_value_get_top_up:
 * @uuid: the top-up's uuid (sv_top_up)
 *
 * Returns: (transfer full): the top-up as its slip prints it, or %NULL with
 *   @error set (TILL_TENDER_ERROR_INVALID when there is none)
 */
TillStoredValueTopUp *
till_stored_value_get_top_up (TillStore *store, const char *uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store, TOP_UP_SELECT "WHERE t.uuid = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID, _ ("No top-up %s"), uuid);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the top-up"));
      return NULL;
    }
  return top_up_from_row (stmt);
}

/**
 * till_stored_value_list_top_ups:
 * @member_id: whose
 *
 * Returns: (transfer full) (element-type TillStoredValueTopUp): the member's
 *   top-ups, newest first (possibly none), or %NULL with @error set
 */
GPtrArray *
till_stored_value_list_top_ups (TillStore *store, const char *member_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) top_ups = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (member_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (
      store, TOP_UP_SELECT "WHERE t.member_id = ? ORDER BY t.created_us DESC, t.uuid DESC", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  top_ups = g_ptr_array_new_with_free_func ((GDestroyNotify) till_stored_value_top_up_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (top_ups, top_up_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member’s top-ups"));
      return NULL;
    }
  return g_steal_pointer (&top_ups);
}

/**
 * till_stored_value_balance_after_sale:
 * @card_no: the card the sale was paid from
 * @sale_uuid: the sale
 *
 * The sum of the card's ledger entries up to and including the sale's
 * debit (in the order they were written: time, then the time-ordered
 * op_uuid). The ledger is append-only, so a reprint gets the same figure as
 * the first print, whatever the card did since.
 *
 * Returns: the balance in fen, or -1 with @error set
 *   (TILL_TENDER_ERROR_INVALID when the sale did not debit the card)
 */
gint64
till_stored_value_balance_after_sale (TillStore  *store,
                                      const char *card_no,
                                      const char *sale_uuid,
                                      GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (card_no != NULL, -1);
  g_return_val_if_fail (sale_uuid != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = till_store_prepare (
      store,
      "WITH last AS (SELECT d.account_id, d.created_us, d.op_uuid FROM sv_ledger d "
      "  JOIN sv_account a ON a.id = d.account_id "
      "  WHERE a.card_no = ?1 AND d.sale_uuid = ?2 AND d.kind = 'debit' "
      "  ORDER BY d.created_us DESC, d.op_uuid DESC LIMIT 1) "
      "SELECT (SELECT sum(l.amount) FROM sv_ledger l WHERE l.account_id = last.account_id "
      "        AND (l.created_us, l.op_uuid) <= (last.created_us, last.op_uuid)) FROM last",
      error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, card_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sale_uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The sale was not paid from the stored-value card %s"), card_no);
      return -1;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the stored-value card’s ledger"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}
