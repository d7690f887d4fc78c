/* till-member.c: members (会员): registration, finding a member, and their
 * personal data kept as PIPL asks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-member"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "till-cart.h"
#include "till-journal.h"
#include "till-member.h"
#include "till-outbox.h"
#include "till-permission.h"
#include "till-store.h"
#include "till-user.h"
#include "till-uuid.h"

/* What a member QR code starts with: "OTM1|<id>|<tag>" (opentill member, v1). */
#define QR_PREFIX "OTM1|"
#define CARD_MAX_LEN 32

/* The columns every TillMember is read from, in row_to_member's order. */
#define MEMBER_COLUMNS                                                                       \
  "id, card_no, phone_masked, name_masked, tier, birthday_sealed, registered_us, store_id, " \
  "opt_out, erased_us"

G_DEFINE_QUARK (till_member_error_quark, till_member_error)

/* Birthdays are kept as "YYYY-MM-DD" or "MM-DD" (year not given). */
static gboolean
parse_birthday (const char *text, guint *out_year, guint *out_month, guint *out_day)
{
  guint year = 0, month = 0, day = 0;
  gsize len = strlen (text);

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]) && text[i] != '-')
      return FALSE;
  if (len == 10 && text[4] == '-' && text[7] == '-')
    {
      year = (guint) g_ascii_strtoull (text, NULL, 10);
      month = (guint) g_ascii_strtoull (text + 5, NULL, 10);
      day = (guint) g_ascii_strtoull (text + 8, NULL, 10);
      if (year < 1900 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
        return FALSE;
    }
  else if (len == 5 && text[2] == '-')
    {
      month = (guint) g_ascii_strtoull (text, NULL, 10);
      day = (guint) g_ascii_strtoull (text + 3, NULL, 10);
      /* 02-29 is a birthday too: check against a leap year. */
      if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, 2000))
        return FALSE;
    }
  else
    return FALSE;
  *out_year = year;
  *out_month = month;
  *out_day = day;
  return TRUE;
}

/* The birthday as it is sealed ("1990-05-17" / "05-17"), or NULL with
 * TILL_MEMBER_ERROR_BIRTHDAY: not a real date, or one in the future. */
static char *
normalize_birthday (const char *typed, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (typed));
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  guint year, month, day;

  if (!parse_birthday (trimmed, &year, &month, &day))
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_BIRTHDAY,
                   _ ("“%s” is not a birthday: type it as 1990-05-17 or 05-17"), trimmed);
      return NULL;
    }
  if (year == 0)
    return g_strdup_printf ("%02u-%02u", month, day);
  if ((int) year * 10000 + (int) month * 100 + (int) day > g_date_time_get_year (now) * 10000 +
                                                               g_date_time_get_month (now) * 100 +
                                                               g_date_time_get_day_of_month (now))
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_BIRTHDAY,
                   _ ("The birthday %s is in the future"), trimmed);
      return NULL;
    }
  return g_strdup_printf ("%04u-%02u-%02u", year, month, day);
}

/* A card number as stored: trimmed, letters upper-case; NULL for none. */
static char *
normalize_card (const char *typed)
{
  g_autofree char *trimmed = NULL;

  if (typed == NULL)
    return NULL;
  trimmed = g_strstrip (g_ascii_strup (typed, -1));
  if (*trimmed == '\0')
    return NULL;
  return g_steal_pointer (&trimmed);
}

static gboolean
card_is_valid (const char *card_no)
{
  gsize len = strlen (card_no);

  if (len == 0 || len > CARD_MAX_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (card_no[i]) && card_no[i] != '-')
      return FALSE;
  return TRUE;
}

static GBytes *
column_bytes (sqlite3_stmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) != SQLITE_BLOB)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, column),
                      (gsize) sqlite3_column_bytes (stmt, column));
}

static void
bind_bytes (sqlite3_stmt *stmt, int column, GBytes *bytes)
{
  gsize         size = 0;
  gconstpointer data;

  if (bytes == NULL)
    {
      sqlite3_bind_null (stmt, column);
      return;
    }
  data = g_bytes_get_data (bytes, &size);
  sqlite3_bind_blob (stmt, column, data, (int) size, SQLITE_TRANSIENT);
}

static TillMember *
row_to_member (sqlite3_stmt *stmt, TillMemberKey *key)
{
  TillMember *member = g_new0 (TillMember, 1);
  g_autoptr (GBytes) birthday_sealed = column_bytes (stmt, 5);
  const char *card_no = (const char *) sqlite3_column_text (stmt, 1);

  member->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  member->card_no = g_strdup (card_no);
  member->phone_masked = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  member->name_masked = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  member->tier = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  member->registered_us = sqlite3_column_int64 (stmt, 6);
  member->store_id = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  member->opt_out = sqlite3_column_int (stmt, 8) != 0;
  member->erased = sqlite3_column_type (stmt, 9) != SQLITE_NULL;

  /* The birthday's month and day are opened for birthday perks only; the
   * year never leaves this function. */
  if (birthday_sealed != NULL && key != NULL)
    {
      g_autoptr (GError) local_error = NULL;
      g_autofree char *birthday = till_member_key_open (key, birthday_sealed, &local_error);
      guint            year, month, day;

      if (birthday != NULL && parse_birthday (birthday, &year, &month, &day))
        {
          member->birth_month = month;
          member->birth_day = day;
        }
      else if (birthday == NULL)
        g_debug ("Member %s: the birthday does not open: %s", member->id, local_error->message);
      if (birthday != NULL)
        OPENSSL_cleanse (birthday, strlen (birthday));
    }
  return member;
}

static void
set_not_found (GError **error, const char *what)
{
  g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND, _ ("No member has %s"), what);
}

/* One member by @sql (a condition on one bound value); when there is none,
 * TILL_MEMBER_ERROR_NOT_FOUND saying "No member has @what". */
static TillMember *
load_where (TillStore     *store,
            TillMemberKey *key,
            const char    *sql,
            const void    *value,
            gsize          value_len,
            gboolean       value_is_blob,
            const char    *what,
            GError       **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (value_is_blob)
    sqlite3_bind_blob (stmt, 1, value, (int) value_len, SQLITE_STATIC);
  else
    sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return row_to_member (stmt, key);
  if (rc == SQLITE_DONE)
    set_not_found (error, what);
  else
    till_store_set_error (store, error, _ ("Cannot read the members"));
  return NULL;
}

static gboolean
exists_where (TillStore  *store,
              const char *sql,
              GBytes     *blob,
              const char *text,
              gboolean   *out_exists,
              GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (blob != NULL)
    bind_bytes (stmt, 1, blob);
  else
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the members"));
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

static void
json_add_base64 (GString *out, const char *key, GBytes *bytes)
{
  g_autofree char *text = NULL;

  if (bytes != NULL)
    text = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  _till_json_add_string (out, key, text);
}

static void
json_add_bool (GString *out, const char *key, gboolean value)
{
  /* As _till_json_add_*: a comma first unless the object just opened. */
  if (out->len > 0 && out->str[out->len - 1] != '{' && out->str[out->len - 1] != '[')
    g_string_append_c (out, ',');
  g_string_append_printf (out, "\"%s\":%s", key, value ? "true" : "false");
}

/* Journals @kind for @member_id with @body (a JSON object) and, when
 * @outbox_body is given, queues it for HQ as a "member" document: its own
 * op uuid (HQ takes one document per kind and uuid, and a member changes
 * more than once). In the caller's transaction. */
static gboolean
record_change (TillStore   *store,
               TillJournal *journal,
               const char  *kind,
               const char  *member_id,
               GString     *body,
               GString     *outbox_body,
               const char  *op_uuid,
               gint64       now_us,
               GError     **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (body->str, body->len);
  guint8 journal_hash[TILL_JOURNAL_HASH_LEN];
  gint64 journal_seq = 0;

  if (!till_journal_append (journal, kind, member_id, now_us, bytes, &journal_seq, journal_hash,
                            error))
    return FALSE;
  if (outbox_body != NULL)
    {
      g_autofree char *hash_hex = till_journal_hash_to_hex (journal_hash);

      if (!till_outbox_append (store, "member", "member", op_uuid, outbox_body->str, journal_seq,
                               hash_hex, now_us, error))
        return FALSE;
    }
  return TRUE;
}

/* The start of a "member" document for HQ: its op uuid, the member and what
 * happened. The caller adds the fields and closes the object. */
static GString *
outbox_body_new (
    const char *op_uuid, const char *member_id, const char *action, TillUser *user, gint64 now_us)
{
  GString *out = g_string_new ("{");

  _till_json_add_string (out, "uuid", op_uuid);
  _till_json_add_string (out, "member_id", member_id);
  _till_json_add_string (out, "action", action);
  if (user != NULL)
    _till_json_add_user (out, user);
  _till_json_add_int (out, "updated_us", now_us);
  return out;
}

static GString *
journal_body_new (const char *member_id, TillUser *user)
{
  GString *out = g_string_new ("{");

  _till_json_add_string (out, "member_id", member_id);
  if (user != NULL)
    _till_json_add_user (out, user);
  return out;
}

/* Opens a sealed column of the member's row for open_personal/export. */
static gboolean
open_column (TillMemberKey *key, sqlite3_stmt *stmt, int column, char **out_text, GError **error)
{
  g_autoptr (GBytes) sealed = column_bytes (stmt, column);

  *out_text = NULL;
  if (sealed == NULL)
    return TRUE;
  *out_text = till_member_key_open (key, sealed, error);
  return *out_text != NULL;
}

/* The member's personal data, in the caller's transaction, after the
 * permission check. */
static TillMemberPersonal *
read_personal (TillStore *store, TillMemberKey *key, const char *id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillMemberPersonal) personal = g_new0 (TillMemberPersonal, 1);
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT phone_sealed, name_sealed, birthday_sealed, erased_us "
                             "FROM member WHERE id = ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND,
                   _ ("There is no member %s"), id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the member"));
      return NULL;
    }
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_ERASED,
                   _ ("This member's personal data was erased on their request"));
      return NULL;
    }
  if (!open_column (key, stmt, 0, &personal->phone, error) ||
      !open_column (key, stmt, 1, &personal->name, error) ||
      !open_column (key, stmt, 2, &personal->birthday, error))
    return NULL;
  return g_steal_pointer (&personal);
}

static void
add_override (GString *out, const TillOverride *override)
{
  if (override != NULL)
    _till_json_add_string (out, "override_by", override->supervisor_code);
}

/* The sales, points and stored-value ledgers of the member as JSON arrays. */
static gboolean
append_history (TillStore *store, GString *out, const char *id, GError **error)
{
  g_autoptr (TillStmt) sales = NULL;
  g_autoptr (TillStmt) points = NULL;
  g_autoptr (TillStmt) ledger = NULL;
  int rc;

  sales = till_store_prepare (store,
                              "SELECT uuid, receipt_no, total, created_us FROM sale "
                              "WHERE member_id = ? ORDER BY created_us, receipt_no",
                              error);
  if (sales == NULL)
    return FALSE;
  sqlite3_bind_text (sales, 1, id, -1, SQLITE_STATIC);
  g_string_append (out, ",\"sales\":[");
  while ((rc = sqlite3_step (sales)) == SQLITE_ROW)
    {
      if (out->str[out->len - 1] == '}')
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      _till_json_add_string (out, "uuid", (const char *) sqlite3_column_text (sales, 0));
      _till_json_add_int (out, "receipt_no", sqlite3_column_int64 (sales, 1));
      _till_json_add_int (out, "total", sqlite3_column_int64 (sales, 2));
      _till_json_add_int (out, "created_us", sqlite3_column_int64 (sales, 3));
      g_string_append_c (out, '}');
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's purchases"));
      return FALSE;
    }
  g_string_append (out, "]");

  points = till_store_prepare (store,
                               "SELECT op_uuid, kind, points, expires_us, sale_uuid, return_uuid, "
                               "created_us FROM member_points WHERE member_id = ? "
                               "ORDER BY created_us, op_uuid",
                               error);
  if (points == NULL)
    return FALSE;
  sqlite3_bind_text (points, 1, id, -1, SQLITE_STATIC);
  g_string_append (out, ",\"points\":[");
  while ((rc = sqlite3_step (points)) == SQLITE_ROW)
    {
      if (out->str[out->len - 1] == '}')
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      _till_json_add_string (out, "op_uuid", (const char *) sqlite3_column_text (points, 0));
      _till_json_add_string (out, "kind", (const char *) sqlite3_column_text (points, 1));
      _till_json_add_int (out, "points", sqlite3_column_int64 (points, 2));
      _till_json_add_int (out, "expires_us", sqlite3_column_int64 (points, 3));
      _till_json_add_string (out, "sale_uuid", (const char *) sqlite3_column_text (points, 4));
      _till_json_add_string (out, "return_uuid", (const char *) sqlite3_column_text (points, 5));
      _till_json_add_int (out, "created_us", sqlite3_column_int64 (points, 6));
      g_string_append_c (out, '}');
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's points"));
      return FALSE;
    }
  g_string_append (out, "]");

  ledger = till_store_prepare (store,
                               "SELECT a.card_no, l.op_uuid, l.kind, l.amount, l.sale_uuid, "
                               "l.return_uuid, l.created_us FROM sv_account a "
                               "JOIN sv_ledger l ON l.account_id = a.id WHERE a.member_id = ? "
                               "ORDER BY l.created_us, l.op_uuid",
                               error);
  if (ledger == NULL)
    return FALSE;
  sqlite3_bind_text (ledger, 1, id, -1, SQLITE_STATIC);
  g_string_append (out, ",\"stored_value\":[");
  while ((rc = sqlite3_step (ledger)) == SQLITE_ROW)
    {
      if (out->str[out->len - 1] == '}')
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      _till_json_add_string (out, "card_no", (const char *) sqlite3_column_text (ledger, 0));
      _till_json_add_string (out, "op_uuid", (const char *) sqlite3_column_text (ledger, 1));
      _till_json_add_string (out, "kind", (const char *) sqlite3_column_text (ledger, 2));
      _till_json_add_int (out, "amount", sqlite3_column_int64 (ledger, 3));
      _till_json_add_string (out, "sale_uuid", (const char *) sqlite3_column_text (ledger, 4));
      _till_json_add_string (out, "return_uuid", (const char *) sqlite3_column_text (ledger, 5));
      _till_json_add_int (out, "created_us", sqlite3_column_int64 (ledger, 6));
      g_string_append_c (out, '}');
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the member's stored value"));
      return FALSE;
    }
  g_string_append (out, "]");
  return TRUE;
}

/* --- Public API ---------------------------------------------------------- */

TillMember *
till_member_copy (const TillMember *member)
{
  TillMember *copy;

  g_return_val_if_fail (member != NULL, NULL);

  copy = g_memdup2 (member, sizeof *member);
  copy->id = g_strdup (member->id);
  copy->card_no = g_strdup (member->card_no);
  copy->phone_masked = g_strdup (member->phone_masked);
  copy->name_masked = g_strdup (member->name_masked);
  copy->tier = g_strdup (member->tier);
  copy->store_id = g_strdup (member->store_id);
  return copy;
}

void
till_member_free (TillMember *member)
{
  if (member == NULL)
    return;
  g_free (member->id);
  g_free (member->card_no);
  g_free (member->phone_masked);
  g_free (member->name_masked);
  g_free (member->tier);
  g_free (member->store_id);
  g_free (member);
}

void
till_member_personal_free (TillMemberPersonal *personal)
{
  if (personal == NULL)
    return;
  /* Plain personal data does not linger in freed memory. */
  if (personal->phone != NULL)
    OPENSSL_cleanse (personal->phone, strlen (personal->phone));
  if (personal->name != NULL)
    OPENSSL_cleanse (personal->name, strlen (personal->name));
  if (personal->birthday != NULL)
    OPENSSL_cleanse (personal->birthday, strlen (personal->birthday));
  g_free (personal->phone);
  g_free (personal->name);
  g_free (personal->birthday);
  g_free (personal);
}

/**
 * till_member_normalize_phone:
 * @typed: what the cashier typed: digits with spaces or dashes, optionally
 *   with +86 in front
 *
 * Returns: (transfer full): 11 digits, or %NULL with %TILL_MEMBER_ERROR_PHONE
 */
char *
till_member_normalize_phone (const char *typed, GError **error)
{
  g_autoptr (GString) digits = NULL;
  const char *p;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (typed == NULL)
    typed = "";
  digits = g_string_new (NULL);
  p = typed;
  while (g_ascii_isspace (*p))
    p++;
  if (g_str_has_prefix (p, "+86"))
    p += 3;
  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p != ' ' && *p != '-' && *p != '\t')
        break;
    }
  if (*p == '\0' && digits->len == 13 && g_str_has_prefix (digits->str, "86"))
    g_string_erase (digits, 0, 2);
  if (*p != '\0' || digits->len != 11 || digits->str[0] != '1' || digits->str[1] < '3')
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_PHONE,
                   _ ("“%s” is not a mobile number: it has 11 digits and starts with 13 to 19"),
                   typed);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&digits), FALSE);
}

/**
 * till_member_mask_phone:
 *
 * Returns: (transfer full): the first 3 and last 4 digits with **** between
 */
char *
till_member_mask_phone (const char *phone)
{
  gsize len;

  g_return_val_if_fail (phone != NULL, NULL);

  len = strlen (phone);
  if (len < 8)
    return g_strnfill (len > 0 ? len : 3, '*');
  return g_strdup_printf ("%.3s****%s", phone, phone + len - 4);
}

/**
 * till_member_mask_name:
 *
 * Chinese names keep the family name, and the last character when there
 * are three or more ("王小丽" → "王*丽", "王丽" → "王*"); names in Latin
 * letters keep their first letter ("Alice" → "A****"). One character is
 * all masked.
 *
 * Returns: (transfer full): the masked name, "" for none
 */
char *
till_member_mask_name (const char *name)
{
  g_autofree char *trimmed = NULL;
  GString         *out;
  glong            n_chars;
  gboolean         ascii = TRUE;
  const char      *last;

  if (name == NULL)
    return g_strdup ("");
  g_return_val_if_fail (g_utf8_validate (name, -1, NULL), g_strdup (""));

  trimmed = g_strstrip (g_strdup (name));
  n_chars = g_utf8_strlen (trimmed, -1);
  if (n_chars == 0)
    return g_strdup ("");
  if (n_chars == 1)
    return g_strdup ("*");
  for (const char *p = trimmed; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      ascii = FALSE;

  out = g_string_new (NULL);
  g_string_append_len (out, trimmed, g_utf8_next_char (trimmed) - trimmed);
  if (n_chars == 2 || ascii)
    {
      for (glong i = 1; i < n_chars; i++)
        g_string_append_c (out, '*');
      return g_string_free (out, FALSE);
    }
  for (glong i = 1; i < n_chars - 1; i++)
    g_string_append_c (out, '*');
  last = g_utf8_offset_to_pointer (trimmed, n_chars - 1);
  g_string_append (out, last);
  return g_string_free (out, FALSE);
}

/**
 * till_member_register:
 * @store: outside a transaction
 * @user: who registers the member (any user may)
 * @spec: what the customer gave
 *
 * Returns: (transfer full): the new member, or %NULL with @error set
 *   (%TILL_MEMBER_ERROR_PHONE, _BIRTHDAY, _EXISTS, or a store error);
 *   nothing is recorded then
 */
TillMember *
till_member_register (TillStore            *store,
                      TillJournal          *journal,
                      TillMemberKey        *key,
                      TillUser             *user,
                      const TillMemberSpec *spec,
                      GError              **error)
{
  g_autofree char *phone = NULL;
  g_autofree char *name = NULL;
  g_autofree char *birthday = NULL;
  g_autofree char *card_no = NULL;
  g_autofree char *phone_masked = NULL;
  g_autofree char *name_masked = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *id = NULL;
  g_autofree char *op_uuid = NULL;
  g_autoptr (GBytes) phone_hash = NULL;
  g_autoptr (GBytes) phone_sealed = NULL;
  g_autoptr (GBytes) name_sealed = NULL;
  g_autoptr (GBytes) birthday_sealed = NULL;
  g_autoptr (GString) body = NULL;
  g_autoptr (GString) outbox_body = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  gboolean exists = FALSE;
  gint64   now_us;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  phone = till_member_normalize_phone (spec->phone, error);
  if (phone == NULL)
    return NULL;
  if (spec->name != NULL)
    {
      if (!g_utf8_validate (spec->name, -1, NULL))
        {
          g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_FAILED,
                       _ ("The member's name is not valid text"));
          return NULL;
        }
      name = g_strstrip (g_strdup (spec->name));
      if (*name == '\0')
        g_clear_pointer (&name, g_free);
    }
  if (spec->birthday != NULL && *spec->birthday != '\0')
    {
      birthday = normalize_birthday (spec->birthday, error);
      if (birthday == NULL)
        return NULL;
    }
  card_no = normalize_card (spec->card_no);
  if (card_no != NULL && !card_is_valid (card_no))
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_FAILED,
                   _ ("“%s” is not a member card number: letters and digits, at most %d"), card_no,
                   CARD_MAX_LEN);
      return NULL;
    }

  now_us = till_user_now (store);
  id = till_uuid_v7_new ();
  op_uuid = till_uuid_v7_new ();
  phone_hash = till_member_key_lookup_hash (key, phone);
  phone_sealed = till_member_key_seal (key, phone);
  phone_masked = till_member_mask_phone (phone);
  if (name != NULL)
    name_sealed = till_member_key_seal (key, name);
  name_masked = till_member_mask_name (name);
  if (birthday != NULL)
    birthday_sealed = till_member_key_seal (key, birthday);
  store_id = till_store_get_setting (store, "sync.store");
  if (store_id == NULL)
    store_id = g_strdup ("");

  if (!till_store_begin (store, error))
    return NULL;
  if (!exists_where (store, "SELECT 1 FROM member WHERE phone_hash = ?", phone_hash, NULL, &exists,
                     error))
    goto fail;
  if (exists)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_EXISTS,
                   _ ("The phone number %s is already a member's"), phone_masked);
      goto fail;
    }
  if (card_no != NULL)
    {
      if (!exists_where (store, "SELECT 1 FROM member WHERE card_no = ?", NULL, card_no, &exists,
                         error))
        goto fail;
      if (exists)
        {
          g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_EXISTS,
                       _ ("The member card %s is already a member's"), card_no);
          goto fail;
        }
    }

  stmt = till_store_prepare (store,
                             "INSERT INTO member (id, card_no, phone_hash, phone_sealed, "
                             "phone_masked, name_sealed, name_masked, birthday_sealed, store_id, "
                             "opt_out, registered_us, updated_us) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, card_no, -1, SQLITE_STATIC);
  bind_bytes (stmt, 3, phone_hash);
  bind_bytes (stmt, 4, phone_sealed);
  sqlite3_bind_text (stmt, 5, phone_masked, -1, SQLITE_STATIC);
  bind_bytes (stmt, 6, name_sealed);
  sqlite3_bind_text (stmt, 7, name_masked, -1, SQLITE_STATIC);
  bind_bytes (stmt, 8, birthday_sealed);
  sqlite3_bind_text (stmt, 9, store_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 10, spec->opt_out ? 1 : 0);
  sqlite3_bind_int64 (stmt, 11, now_us);
  sqlite3_bind_int64 (stmt, 12, now_us);
  if (!till_store_step_done (store, stmt, error))
    goto fail;
  g_clear_pointer (&stmt, till_stmt_release);

  /* The journal names the member by id and masked phone only: it is kept
   * for years and must not become a second copy of the personal data. */
  body = journal_body_new (id, user);
  _till_json_add_string (body, "phone_masked", phone_masked);
  _till_json_add_string (body, "store_id", store_id);
  json_add_bool (body, "opt_out", spec->opt_out);
  _till_json_add_int (body, "registered_us", now_us);
  g_string_append_c (body, '}');

  /* HQ gets the sealed values (it holds the same key), never plain ones. */
  outbox_body = outbox_body_new (op_uuid, id, "register", user, now_us);
  _till_json_add_string (outbox_body, "card_no", card_no);
  json_add_base64 (outbox_body, "phone_hash", phone_hash);
  json_add_base64 (outbox_body, "phone_sealed", phone_sealed);
  _till_json_add_string (outbox_body, "phone_masked", phone_masked);
  json_add_base64 (outbox_body, "name_sealed", name_sealed);
  _till_json_add_string (outbox_body, "name_masked", name_masked);
  json_add_base64 (outbox_body, "birthday_sealed", birthday_sealed);
  _till_json_add_string (outbox_body, "store_id", store_id);
  json_add_bool (outbox_body, "opt_out", spec->opt_out);
  _till_json_add_int (outbox_body, "registered_us", now_us);
  g_string_append_c (outbox_body, '}');

  if (!record_change (store, journal, "member-register", id, body, outbox_body, op_uuid, now_us,
                      error) ||
      !till_store_commit (store, error))
    goto fail;

  OPENSSL_cleanse (phone, strlen (phone));
  if (name != NULL)
    OPENSSL_cleanse (name, strlen (name));
  return till_member_load (store, key, id, error);

fail:
  till_store_rollback (store);
  OPENSSL_cleanse (phone, strlen (phone));
  return NULL;
}

/**
 * till_member_find_by_phone:
 * @phone: as typed (spaces and dashes allowed)
 *
 * Returns: (transfer full): the member, or %NULL with @error set
 *   (%TILL_MEMBER_ERROR_PHONE, %TILL_MEMBER_ERROR_NOT_FOUND)
 */
TillMember *
till_member_find_by_phone (TillStore *store, TillMemberKey *key, const char *phone, GError **error)
{
  g_autofree char *normalized = NULL;
  g_autofree char *masked = NULL;
  g_autoptr (GBytes) hash = NULL;
  TillMember *member;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = till_member_normalize_phone (phone, error);
  if (normalized == NULL)
    return NULL;
  hash = till_member_key_lookup_hash (key, normalized);
  masked = till_member_mask_phone (normalized);
  member = load_where (store, key,
                       "SELECT " MEMBER_COLUMNS " FROM member "
                       "WHERE phone_hash = ? AND erased_us IS NULL",
                       g_bytes_get_data (hash, NULL), g_bytes_get_size (hash), TRUE, masked, error);
  OPENSSL_cleanse (normalized, strlen (normalized));
  return member;
}

/**
 * till_member_find_by_card:
 *
 * Returns: (transfer full): the member, or %NULL with @error set
 */
TillMember *
till_member_find_by_card (TillStore *store, TillMemberKey *key, const char *card_no, GError **error)
{
  g_autofree char *normalized = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (key == NULL || TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (card_no != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = normalize_card (card_no);
  if (normalized == NULL)
    {
      set_not_found (error, _ ("an empty card number"));
      return NULL;
    }
  what = g_strdup_printf (_ ("the card %s"), normalized);
  return load_where (store, key,
                     "SELECT " MEMBER_COLUMNS " FROM member "
                     "WHERE card_no = ? AND erased_us IS NULL",
                     normalized, 0, FALSE, what, error);
}

/**
 * till_member_find_by_qr:
 * @payload: "OTM1|<id>|<tag>" as scanned
 *
 * Returns: (transfer full): the member, or %NULL with @error set
 *   (%TILL_MEMBER_ERROR_QR for a malformed or forged code)
 */
TillMember *
till_member_find_by_qr (TillStore *store, TillMemberKey *key, const char *payload, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trimmed = g_strstrip (g_strdup (payload));
  parts = g_strsplit (trimmed, "|", -1);
  if (g_strv_length (parts) != 3 || g_strcmp0 (parts[0], "OTM1") != 0 ||
      !till_uuid_is_valid (parts[1]) || strlen (parts[2]) != 16)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_QR,
                   _ ("This is not a member code of this shop"));
      return NULL;
    }
  expected = till_member_key_tag (key, parts[1]);
  if (CRYPTO_memcmp (expected, parts[2], 16) != 0)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_QR,
                   _ ("This member code is not genuine: ask for the member's phone number"));
      return NULL;
    }
  return load_where (store, key,
                     "SELECT " MEMBER_COLUMNS " FROM member WHERE id = ? AND erased_us IS NULL",
                     parts[1], 0, FALSE, _ ("this member code"), error);
}

/**
 * till_member_load:
 * @key: (nullable): opens the birthday's month and day; without it they
 *   are unknown
 *
 * Returns: (transfer full): the member with @id, erased ones too, or %NULL
 *   with %TILL_MEMBER_ERROR_NOT_FOUND
 */
TillMember *
till_member_load (TillStore *store, TillMemberKey *key, const char *id, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (key == NULL || TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_where (store, key, "SELECT " MEMBER_COLUMNS " FROM member WHERE id = ?", id, 0, FALSE,
                     id, error);
}

/**
 * till_member_find:
 * @code: what was scanned or typed: a member QR, a mobile number or a card
 *   number
 *
 * A number that looks like a mobile number but is no member's phone is
 * tried as a card number too (cards may carry 11 digits).
 *
 * Returns: (transfer full): the member, or %NULL with @error set
 */
TillMember *
till_member_find (TillStore *store, TillMemberKey *key, const char *code, GError **error)
{
  g_autoptr (GError) phone_error = NULL;
  g_autofree char *phone = NULL;
  TillMember      *member;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (till_member_is_qr (code))
    return till_member_find_by_qr (store, key, code, error);
  phone = till_member_normalize_phone (code, NULL);
  if (phone == NULL)
    return till_member_find_by_card (store, key, code, error);
  member = till_member_find_by_phone (store, key, phone, &phone_error);
  OPENSSL_cleanse (phone, strlen (phone));
  if (member != NULL ||
      !g_error_matches (phone_error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND))
    {
      if (phone_error != NULL)
        g_propagate_error (error, g_steal_pointer (&phone_error));
      return member;
    }
  member = till_member_find_by_card (store, key, code, NULL);
  if (member == NULL)
    g_propagate_error (error, g_steal_pointer (&phone_error));
  return member;
}

/**
 * till_member_is_qr:
 *
 * Returns: whether @code starts like a member QR ("OTM1|")
 */
gboolean
till_member_is_qr (const char *code)
{
  if (code == NULL)
    return FALSE;
  while (g_ascii_isspace (*code))
    code++;
  return g_str_has_prefix (code, QR_PREFIX);
}

/**
 * till_member_qr_payload:
 *
 * Returns: (transfer full): "OTM1|<id>|<tag>"
 */
char *
till_member_qr_payload (TillMemberKey *key, const char *id)
{
  g_autofree char *tag = NULL;

  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  tag = till_member_key_tag (key, id);
  return g_strconcat (QR_PREFIX, id, "|", tag, NULL);
}

/* The start of every act that opens a member's personal data: a
 * transaction, the VIEW_MEMBER_DATA check (or @override) and the data.
 * On failure the transaction is rolled back. */
static TillMemberPersonal *
begin_personal_access (TillStore          *store,
                       TillJournal        *journal,
                       TillMemberKey      *key,
                       TillUser           *user,
                       const TillOverride *override,
                       const char         *id,
                       GError            **error)
{
  TillMemberPersonal *personal = NULL;

  if (!till_store_begin (store, error))
    return NULL;
  if (till_permission_check (store, journal, user, TILL_PERMISSION_VIEW_MEMBER_DATA, 0, override,
                             error))
    personal = read_personal (store, key, id, error);
  if (personal == NULL)
    till_store_rollback (store);
  return personal;
}

/* Its end: the @kind journal entry (who, which member; never the values)
 * and the commit. The caller rolls back on failure. */
static gboolean
finish_personal_access (TillStore          *store,
                        TillJournal        *journal,
                        TillUser           *user,
                        const TillOverride *override,
                        const char         *id,
                        const char         *kind,
                        gint64              now_us,
                        GError            **error)
{
  g_autoptr (GString) body = journal_body_new (id, user);

  add_override (body, override);
  g_string_append_c (body, '}');
  return record_change (store, journal, kind, id, body, NULL, NULL, now_us, error) &&
         till_store_commit (store, error);
}

/**
 * till_member_open_personal:
 * @store: outside a transaction
 * @user: who asks to see the data
 * @override: (nullable): a supervisor's approval when @user may not
 *
 * Checks TILL_PERMISSION_VIEW_MEMBER_DATA and journals "member-view" (who,
 * which member; never the values) in one transaction.
 *
 * Returns: (transfer full): the personal data, or %NULL with @error set
 *   (TILL_PERMISSION_ERROR_*, TILL_MEMBER_ERROR_NOT_FOUND / _ERASED,
 *   TILL_MEMBER_KEY_ERROR_TAMPERED)
 */
TillMemberPersonal *
till_member_open_personal (TillStore          *store,
                           TillJournal        *journal,
                           TillMemberKey      *key,
                           TillUser           *user,
                           const TillOverride *override,
                           const char         *id,
                           GError            **error)
{
  g_autoptr (TillMemberPersonal) personal = NULL;
  gint64 now_us;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  now_us = till_user_now (store);
  personal = begin_personal_access (store, journal, key, user, override, id, error);
  if (personal == NULL)
    return NULL;
  if (!finish_personal_access (store, journal, user, override, id, "member-view", now_us, error))
    {
      till_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&personal);
}

/**
 * till_member_set_tier:
 * @tier: a tier code (till-loyalty.h)
 *
 * Sets the member's tier in the caller's transaction, or in one of its own.
 * The caller (till-loyalty) journals why.
 *
 * Returns: %FALSE with @error set (%TILL_MEMBER_ERROR_NOT_FOUND for no such
 *   member)
 */
gboolean
till_member_set_tier (TillStore *store, const char *id, const char *tier, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean began = FALSE;
  gboolean ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (tier != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!till_store_in_transaction (store))
    {
      if (!till_store_begin (store, error))
        return FALSE;
      began = TRUE;
    }
  stmt =
      till_store_prepare (store, "UPDATE member SET tier = ?, updated_us = ? WHERE id = ?", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, tier, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, till_user_now (store));
      sqlite3_bind_text (stmt, 3, id, -1, SQLITE_STATIC);
      ok = till_store_step_done (store, stmt, error);
    }
  if (ok && sqlite3_changes (till_store_get_db (store)) == 0)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND,
                   _ ("There is no member %s"), id);
      ok = FALSE;
    }
  g_clear_pointer (&stmt, till_stmt_release);
  if (!began)
    return ok;
  if (!ok)
    {
      till_store_rollback (store);
      return FALSE;
    }
  return till_store_commit (store, error);
}

/**
 * till_member_set_opt_out:
 * @opt_out: %TRUE: the member wants no marketing messages
 *
 * Journaled ("member-opt-out") and queued for HQ, in the caller's
 * transaction or one of its own. Any user may record the customer's choice.
 *
 * Returns: %FALSE with @error set
 */
gboolean
till_member_set_opt_out (TillStore   *store,
                         TillJournal *journal,
                         TillUser    *user,
                         const char  *id,
                         gboolean     opt_out,
                         GError     **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) body = NULL;
  g_autoptr (GString) outbox_body = NULL;
  g_autofree char *op_uuid = NULL;
  gboolean         began = FALSE;
  gboolean         ok;
  gint64           now_us;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now_us = till_user_now (store);
  if (!till_store_in_transaction (store))
    {
      if (!till_store_begin (store, error))
        return FALSE;
      began = TRUE;
    }
  stmt = till_store_prepare (store,
                             "UPDATE member SET opt_out = ?, updated_us = ? "
                             "WHERE id = ? AND erased_us IS NULL",
                             error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_int (stmt, 1, opt_out ? 1 : 0);
      sqlite3_bind_int64 (stmt, 2, now_us);
      sqlite3_bind_text (stmt, 3, id, -1, SQLITE_STATIC);
      ok = till_store_step_done (store, stmt, error);
    }
  if (ok && sqlite3_changes (till_store_get_db (store)) == 0)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND,
                   _ ("There is no member %s"), id);
      ok = FALSE;
    }
  g_clear_pointer (&stmt, till_stmt_release);
  if (ok)
    {
      op_uuid = till_uuid_v7_new ();
      body = journal_body_new (id, user);
      json_add_bool (body, "opt_out", opt_out);
      g_string_append_c (body, '}');
      outbox_body = outbox_body_new (op_uuid, id, "opt-out", user, now_us);
      json_add_bool (outbox_body, "opt_out", opt_out);
      g_string_append_c (outbox_body, '}');
      ok = record_change (store, journal, "member-opt-out", id, body, outbox_body, op_uuid, now_us,
                          error);
    }
  if (!began)
    return ok;
  if (!ok)
    {
      till_store_rollback (store);
      return FALSE;
    }
  return till_store_commit (store, error);
}

/**
 * till_member_export:
 * @store: outside a transaction
 * @override: (nullable): a supervisor's approval when @user may not
 *
 * Everything the till holds on the member, for their PIPL request: the
 * personal data opened, their purchases, points and stored-value ledgers.
 * Journaled "member-export" (who, which member).
 *
 * Returns: (transfer full): one JSON object, or %NULL with @error set
 */
char *
till_member_export (TillStore          *store,
                    TillJournal        *journal,
                    TillMemberKey      *key,
                    TillUser           *user,
                    const TillOverride *override,
                    const char         *id,
                    GError            **error)
{
  g_autoptr (TillMemberPersonal) personal = NULL;
  g_autoptr (TillMember) member = NULL;
  GString *out = NULL;
  gint64   now_us;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  now_us = till_user_now (store);
  personal = begin_personal_access (store, journal, key, user, override, id, error);
  if (personal == NULL)
    return NULL;
  member = till_member_load (store, key, id, error);
  if (member == NULL)
    goto fail;

  out = g_string_new ("{");
  _till_json_add_string (out, "id", member->id);
  _till_json_add_string (out, "phone", personal->phone);
  _till_json_add_string (out, "name", personal->name);
  _till_json_add_string (out, "birthday", personal->birthday);
  _till_json_add_string (out, "card_no", member->card_no);
  _till_json_add_string (out, "tier", member->tier);
  _till_json_add_string (out, "store_id", member->store_id);
  json_add_bool (out, "opt_out", member->opt_out);
  _till_json_add_int (out, "registered_us", member->registered_us);
  _till_json_add_int (out, "exported_us", now_us);
  if (!append_history (store, out, id, error))
    goto fail;
  g_string_append_c (out, '}');

  if (!finish_personal_access (store, journal, user, override, id, "member-export", now_us, error))
    goto fail;
  return g_string_free (out, FALSE);

fail:
  till_store_rollback (store);
  if (out != NULL)
    {
      OPENSSL_cleanse (out->str, out->len);
      g_string_free (out, TRUE);
    }
  return NULL;
}

/**
 * till_member_erase:
 * @store: outside a transaction
 * @override: (nullable): a supervisor's approval when @user may not
 *
 * Wipes the member's phone, name, birthday, phone hash and card number in
 * one transaction; the row stays as an id so that sales and ledgers still
 * add up. The name on the member's stored-value card goes too. Journaled
 * "member-erase" and queued for HQ.
 *
 * Returns: %FALSE with @error set (TILL_PERMISSION_ERROR_*,
 *   TILL_MEMBER_ERROR_NOT_FOUND, TILL_MEMBER_ERROR_ERASED)
 */
gboolean
till_member_erase (TillStore          *store,
                   TillJournal        *journal,
                   TillUser           *user,
                   const TillOverride *override,
                   const char         *id,
                   GError            **error)
{
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStmt) card_stmt = NULL;
  g_autoptr (GString) body = NULL;
  g_autoptr (GString) outbox_body = NULL;
  g_autofree char *op_uuid = NULL;
  gint64           now_us;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now_us = till_user_now (store);
  /* The sealed values are overwritten in place: have SQLite zero the space
   * they leave (the connection keeps the setting; it costs little). */
  if (!till_store_exec (store, "PRAGMA secure_delete = ON", error) ||
      !till_store_begin (store, error))
    return FALSE;
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_VIEW_MEMBER_DATA, 0, override,
                              error))
    goto fail;
  member = till_member_load (store, NULL, id, error);
  if (member == NULL)
    goto fail;
  if (member->erased)
    {
      g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_ERASED,
                   _ ("This member's personal data was already erased"));
      goto fail;
    }

  stmt = till_store_prepare (store,
                             "UPDATE member SET card_no = NULL, phone_hash = NULL, "
                             "phone_sealed = NULL, phone_masked = '***', name_sealed = NULL, "
                             "name_masked = '', birthday_sealed = NULL, updated_us = ?, "
                             "erased_us = ? WHERE id = ?",
                             error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now_us);
  sqlite3_bind_int64 (stmt, 2, now_us);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    goto fail;
  card_stmt =
      till_store_prepare (store, "UPDATE sv_account SET holder = '' WHERE member_id = ?", error);
  if (card_stmt == NULL)
    goto fail;
  sqlite3_bind_text (card_stmt, 1, id, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, card_stmt, error))
    goto fail;

  op_uuid = till_uuid_v7_new ();
  body = journal_body_new (id, user);
  add_override (body, override);
  g_string_append_c (body, '}');
  outbox_body = outbox_body_new (op_uuid, id, "erase", user, now_us);
  _till_json_add_int (outbox_body, "erased_us", now_us);
  g_string_append_c (outbox_body, '}');
  if (!record_change (store, journal, "member-erase", id, body, outbox_body, op_uuid, now_us,
                      error) ||
      !till_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  till_store_rollback (store);
  return FALSE;
}
