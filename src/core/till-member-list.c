/* till-member-list.c: target lists of members for marketing, as CSV or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-member-list"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-cart.h"
#include "till-journal.h"
#include "till-member-key.h"
#include "till-member-list.h"
#include "till-member.h"
#include "till-permission.h"
#include "till-store.h"
#include "till-user.h"

/* Indexed by TillMemberListKind. */
static const char *const kind_names[] = { "tier", "lapsed", "birthday-month", "bought-category" };

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == TILL_MEMBER_LIST_BOUGHT_CATEGORY + 1);

/* Every list reads the same columns of the members it names; the kinds differ
 * only in their condition. Opted-out and erased members are never on a list. */
#define MEMBER_COLUMNS                                                                 \
  "SELECT m.id, m.card_no, m.phone_masked, m.name_masked, m.tier, m.birthday_sealed, " \
  "m.registered_us, m.store_id, m.opt_out, m.erased_us FROM member m "                 \
  "WHERE m.erased_us IS NULL AND m.opt_out = 0 "

typedef enum
{
  FORMAT_CSV,
  FORMAT_JSON,
} ExportFormat;

/* "1990-05-17" or "05-17" → 5 and 17; FALSE for anything else. */
static gboolean
parse_birthday (const char *text, guint *out_month, guint *out_day)
{
  g_auto (GStrv) parts = g_strsplit (text, "-", -1);
  guint   n = g_strv_length (parts);
  guint64 month;
  guint64 day;

  if (n != 2 && n != 3)
    return FALSE;
  if (!g_ascii_string_to_unsigned (parts[n - 2], 10, 1, 12, &month, NULL) ||
      !g_ascii_string_to_unsigned (parts[n - 1], 10, 1, 31, &day, NULL))
    return FALSE;
  *out_month = (guint) month;
  *out_day = (guint) day;
  return TRUE;
}

static GBytes *
column_bytes (sqlite3_stmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, column), sqlite3_column_bytes (stmt, column));
}

static char *
column_strdup (sqlite3_stmt *stmt, int column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text != NULL ? text : "");
}

/* A member from a row of MEMBER_COLUMNS, their birthday opened with @key. */
static TillMember *
member_from_row (sqlite3_stmt *stmt, TillMemberKey *key, GError **error)
{
  g_autoptr (TillMember) member = g_new0 (TillMember, 1);
  g_autoptr (GBytes) birthday_sealed = column_bytes (stmt, 5);

  member->id = column_strdup (stmt, 0);
  member->card_no = sqlite3_column_type (stmt, 1) == SQLITE_NULL ? NULL : column_strdup (stmt, 1);
  member->phone_masked = column_strdup (stmt, 2);
  member->name_masked = column_strdup (stmt, 3);
  member->tier = column_strdup (stmt, 4);
  member->registered_us = sqlite3_column_int64 (stmt, 6);
  member->store_id = column_strdup (stmt, 7);
  member->opt_out = sqlite3_column_int (stmt, 8) != 0;
  member->erased = sqlite3_column_type (stmt, 9) != SQLITE_NULL;
  if (birthday_sealed != NULL)
    {
      g_autofree char *birthday = till_member_key_open (key, birthday_sealed, error);

      if (birthday == NULL)
        return NULL;
      if (!parse_birthday (birthday, &member->birth_month, &member->birth_day))
        {
          /* Registration checks birthdays, so this is a damaged row: it
           * counts as unknown rather than stopping the whole list. */
          g_debug ("Member %s has an unreadable birthday", member->id);
          member->birth_month = 0;
          member->birth_day = 0;
        }
    }
  return g_steal_pointer (&member);
}

/* Runs @stmt (bound by the caller) and collects its members; with
 * @birth_month set, only those born in that month. */
static GPtrArray *
collect_members (
    TillStore *store, TillMemberKey *key, sqlite3_stmt *stmt, guint birth_month, GError **error)
{
  g_autoptr (GPtrArray) members =
      g_ptr_array_new_with_free_func ((GDestroyNotify) till_member_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillMember *member = member_from_row (stmt, key, error);

      if (member == NULL)
        return NULL;
      if (birth_month != 0 && member->birth_month != birth_month)
        {
          till_member_free (member);
          continue;
        }
      g_ptr_array_add (members, member);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the members"));
      return NULL;
    }
  return g_steal_pointer (&members);
}

static gboolean invalid_argument (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid_argument (GError **error, const char *format, ...)
{
  va_list          args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

static gboolean
category_exists (TillStore *store, const char *code, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT 1 FROM category WHERE code = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    return invalid_argument (error, _ ("There is no category with the code “%s”"), code);
  till_store_set_error (store, error, _ ("Cannot read the categories"));
  return FALSE;
}

/* The member's last sale, 0 for none. */
static gint64
last_visit_us (TillStore *store, const char *member_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT MAX (created_us) FROM sale WHERE member_id = ?", &error);

  if (stmt == NULL)
    {
      g_debug ("Cannot read the last visit of %s: %s", member_id, error->message);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

/* "2026-11-23" in local time, "" for never. */
static char *
format_day (gint64 time_us)
{
  g_autoptr (GDateTime) time = NULL;

  if (time_us <= 0)
    return g_strdup ("");
  time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d") : g_strdup ("");
}

/* The full phone and name of a member, opened with @key. */
static gboolean
open_personal (TillStore     *store,
               TillMemberKey *key,
               const char    *member_id,
               char         **out_phone,
               char         **out_name,
               GError       **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GBytes) phone_sealed = NULL;
  g_autoptr (GBytes) name_sealed = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *name = NULL;
  int              rc;

  stmt = till_store_prepare (store, "SELECT phone_sealed, name_sealed FROM member WHERE id = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, TILL_MEMBER_ERROR, TILL_MEMBER_ERROR_NOT_FOUND,
                     _ ("There is no member %s"), member_id);
      else
        till_store_set_error (store, error, _ ("Cannot read the member"));
      return FALSE;
    }
  phone_sealed = column_bytes (stmt, 0);
  name_sealed = column_bytes (stmt, 1);
  if (phone_sealed != NULL && (phone = till_member_key_open (key, phone_sealed, error)) == NULL)
    return FALSE;
  if (name_sealed != NULL && (name = till_member_key_open (key, name_sealed, error)) == NULL)
    return FALSE;
  *out_phone = phone != NULL ? g_steal_pointer (&phone) : g_strdup ("");
  *out_name = name != NULL ? g_steal_pointer (&name) : g_strdup ("");
  return TRUE;
}

/* RFC 4180: a field with a comma, a quote or a line break goes in quotes,
 * its quotes doubled. A field that a spreadsheet would take for a formula
 * (a name typed as "=HYPERLINK(…)") gets a leading apostrophe, as OWASP
 * advises for CSV meant for Excel or WPS: marketing staff open these. */
static void
append_csv_field (GString *out, const char *field)
{
  gboolean formula = strchr ("=+-@\t\r", field[0]) != NULL && field[0] != '\0';

  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      if (formula)
        g_string_append_c (out, '\'');
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  if (formula)
    g_string_append_c (out, '\'');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* The document itself; @full opens each member's phone and name. */
static char *
render (TillStore     *store,
        TillMemberKey *key,
        GPtrArray     *members,
        const char    *list_name,
        ExportFormat   format,
        gboolean       full,
        GError       **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (format == FORMAT_CSV)
    g_string_append (out, "id,phone,name,tier,last_visit\r\n");
  else
    {
      g_string_append (out, "{\"list\":");
      _till_json_append_string (out, list_name);
      g_string_append (out, ",\"members\":[");
    }
  for (guint i = 0; i < members->len; i++)
    {
      const TillMember *member = g_ptr_array_index (members, i);
      g_autofree char  *phone = NULL;
      g_autofree char  *name = NULL;

      if (full)
        {
          if (!open_personal (store, key, member->id, &phone, &name, error))
            return NULL;
        }
      else
        {
          phone = g_strdup (member->phone_masked != NULL ? member->phone_masked : "");
          name = g_strdup (member->name_masked != NULL ? member->name_masked : "");
        }
      if (format == FORMAT_CSV)
        {
          g_autofree char *last_visit = format_day (last_visit_us (store, member->id));

          append_csv_field (out, member->id);
          g_string_append_c (out, ',');
          append_csv_field (out, phone);
          g_string_append_c (out, ',');
          append_csv_field (out, name);
          g_string_append_c (out, ',');
          append_csv_field (out, member->tier != NULL ? member->tier : "");
          g_string_append_c (out, ',');
          append_csv_field (out, last_visit);
          g_string_append (out, "\r\n");
        }
      else
        {
          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append (out, "{\"id\":");
          _till_json_append_string (out, member->id);
          g_string_append (out, ",\"phone\":");
          _till_json_append_string (out, phone);
          g_string_append (out, ",\"name\":");
          _till_json_append_string (out, name);
          g_string_append (out, ",\"tier\":");
          _till_json_append_string (out, member->tier != NULL ? member->tier : "");
          g_string_append_c (out, '}');
        }
    }
  if (format == FORMAT_JSON)
    g_string_append (out, "]}");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Whether @user (or the override) may see full data. Leaves a transaction
 * open when they may (the export is journaled in it); a plain refusal
 * without an override is not an error: the list is then masked. */
static gboolean
may_see_full (TillStore          *store,
              TillJournal        *journal,
              TillUser           *user,
              const TillOverride *override,
              gboolean           *out_full,
              GError            **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!till_store_begin (store, error))
    return FALSE;
  if (till_permission_check (store, journal, user, TILL_PERMISSION_VIEW_MEMBER_DATA, 0, override,
                             &local_error))
    {
      *out_full = TRUE;
      return TRUE;
    }
  till_store_rollback (store);
  if (override == NULL &&
      g_error_matches (local_error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED))
    {
      *out_full = FALSE;
      return TRUE;
    }
  /* A supervisor's override that fails was an explicit request for full
   * data: say why it failed instead of quietly masking. */
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
journal_export (TillJournal *journal,
                TillUser    *user,
                const char  *list_name,
                ExportFormat format,
                guint        size,
                GError     **error)
{
  g_autoptr (GBytes) bytes = NULL;
  GString *body = g_string_new ("{");
  gint64   now_us = g_get_real_time ();

  _till_json_add_string (body, "list", list_name);
  _till_json_add_string (body, "format", format == FORMAT_CSV ? "csv" : "json");
  _till_json_add_int (body, "size", size);
  _till_json_add_user (body, user);
  _till_json_add_int (body, "created_us", now_us);
  g_string_append_c (body, '}');
  bytes = g_string_free_to_bytes (body);
  return till_journal_append (journal, "member-list-export", NULL, now_us, bytes, NULL, NULL,
                              error);
}

static char *
export_list (TillStore          *store,
             TillJournal        *journal,
             TillMemberKey      *key,
             TillUser           *user,
             const TillOverride *override,
             GPtrArray          *members,
             const char         *list_name,
             ExportFormat        format,
             GError            **error)
{
  g_autofree char *document = NULL;
  gboolean         full = FALSE;

  if (!may_see_full (store, journal, user, override, &full, error))
    return NULL;
  document = render (store, key, members, list_name, format, full, error);
  if (!full)
    return g_steal_pointer (&document);
  if (document == NULL || !journal_export (journal, user, list_name, format, members->len, error) ||
      !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&document);
}

/**
 * till_member_list_kind_to_string:
 *
 * Returns: "tier", "lapsed", "birthday-month" or "bought-category"
 */
const char *
till_member_list_kind_to_string (TillMemberListKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

/**
 * till_member_list_kind_from_string:
 *
 * Returns: whether @text names a kind (till_member_list_kind_to_string)
 */
gboolean
till_member_list_kind_from_string (const char *text, TillMemberListKind *out_kind)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *out_kind = (TillMemberListKind) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * till_member_list_build:
 * @key: opens the members' birthdays
 * @arg: (nullable): the tier code, the days of the lapse (90 when %NULL),
 *   the month ("1"–"12"; this month when %NULL) or the category code
 * @now_us: the time the list is made for (µs since the epoch)
 *
 * Returns: (transfer full) (element-type TillMember): the members, by id,
 *   or %NULL with @error set
 */
GPtrArray *
till_member_list_build (TillStore         *store,
                        TillMemberKey     *key,
                        TillMemberListKind kind,
                        const char        *arg,
                        gint64             now_us,
                        GError           **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  guint birth_month = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (kind)
    {
    case TILL_MEMBER_LIST_TIER:
      if (arg == NULL || *arg == '\0')
        {
          invalid_argument (error, _ ("Name the tier of the list"));
          return NULL;
        }
      stmt = till_store_prepare (store, MEMBER_COLUMNS "AND m.tier = ? ORDER BY m.id", error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
      break;

    case TILL_MEMBER_LIST_LAPSED:
      {
        guint64 days = 90;
        gint64  cut_off_us;

        if (arg != NULL && !g_ascii_string_to_unsigned (arg, 10, 1, 36600, &days, NULL))
          {
            invalid_argument (error, _ ("“%s” is not a number of days (1 or more)"), arg);
            return NULL;
          }
        cut_off_us = now_us - (gint64) days * G_TIME_SPAN_DAY;
        /* Someone who joined within the window has not lapsed yet, whether
         * they came back or not. */
        stmt = till_store_prepare (store,
                                   MEMBER_COLUMNS
                                   "AND m.registered_us < ?1 AND NOT EXISTS (SELECT 1 FROM sale s "
                                   "WHERE s.member_id = m.id AND s.created_us >= ?1) ORDER BY m.id",
                                   error);
        if (stmt == NULL)
          return NULL;
        sqlite3_bind_int64 (stmt, 1, cut_off_us);
      }
      break;

    case TILL_MEMBER_LIST_BIRTHDAY_MONTH:
      if (arg == NULL)
        {
          g_autoptr (GDateTime) now = g_date_time_new_from_unix_local (now_us / G_USEC_PER_SEC);

          if (now == NULL)
            {
              invalid_argument (error, _ ("The time is out of range"));
              return NULL;
            }
          birth_month = (guint) g_date_time_get_month (now);
        }
      else
        {
          guint64 month;

          if (!g_ascii_string_to_unsigned (arg, 10, 1, 12, &month, NULL))
            {
              invalid_argument (error, _ ("“%s” is not a month (1 to 12)"), arg);
              return NULL;
            }
          birth_month = (guint) month;
        }
      /* No birthday is stored in plain: each sealed one is opened and the
       * month compared here. */
      stmt = till_store_prepare (
          store, MEMBER_COLUMNS "AND m.birthday_sealed IS NOT NULL ORDER BY m.id", error);
      if (stmt == NULL)
        return NULL;
      break;

    case TILL_MEMBER_LIST_BOUGHT_CATEGORY:
      if (arg == NULL || *arg == '\0')
        {
          invalid_argument (error, _ ("Name the category of the list by its code"));
          return NULL;
        }
      if (!category_exists (store, arg, error))
        return NULL;
      stmt = till_store_prepare (
          store,
          MEMBER_COLUMNS
          "AND m.id IN (WITH RECURSIVE tree (id) AS (SELECT id FROM category WHERE code = ?1 "
          "UNION SELECT c.id FROM category c JOIN tree ON c.parent_id = tree.id) "
          "SELECT s.member_id FROM sale s JOIN sale_line l ON l.sale_uuid = s.uuid "
          "JOIN product p ON p.id = l.product_id "
          "WHERE s.member_id IS NOT NULL AND p.category_id IN (SELECT id FROM tree)) "
          "ORDER BY m.id",
          error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
      break;

    default:
      g_return_val_if_reached (NULL);
    }
  return collect_members (store, key, stmt, birth_month, error);
}

/**
 * till_member_list_to_csv:
 * @store: outside a transaction
 * @override: (nullable): a supervisor's approval to see full data
 * @members: (element-type TillMember): from till_member_list_build()
 * @list_name: what the list is ("tier-gold"), for the journal
 *
 * Full data needs %TILL_PERMISSION_VIEW_MEMBER_DATA and is journaled as
 * "member-list-export"; a user without it gets masked data. A failed
 * override is an error, not a masked list.
 *
 * Returns: (transfer full): the CSV (CRLF line ends), or %NULL with @error
 */
char *
till_member_list_to_csv (TillStore          *store,
                         TillJournal        *journal,
                         TillMemberKey      *key,
                         TillUser           *user,
                         const TillOverride *override,
                         GPtrArray          *members,
                         const char         *list_name,
                         GError            **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (till_journal_get_store (journal) == store, NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (members != NULL, NULL);
  g_return_val_if_fail (list_name != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return export_list (store, journal, key, user, override, members, list_name, FORMAT_CSV, error);
}

/**
 * till_member_list_to_json:
 *
 * As till_member_list_to_csv(), as the body of a marketing webhook.
 *
 * Returns: (transfer full): the JSON, or %NULL with @error set
 */
char *
till_member_list_to_json (TillStore          *store,
                          TillJournal        *journal,
                          TillMemberKey      *key,
                          TillUser           *user,
                          const TillOverride *override,
                          GPtrArray          *members,
                          const char         *list_name,
                          GError            **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (till_journal_get_store (journal) == store, NULL);
  g_return_val_if_fail (TILL_IS_MEMBER_KEY (key), NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (members != NULL, NULL);
  g_return_val_if_fail (list_name != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return export_list (store, journal, key, user, override, members, list_name, FORMAT_JSON, error);
}
