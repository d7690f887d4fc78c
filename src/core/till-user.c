/* till-user.c: who works the till, and how they sign in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-user"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "till-journal.h"
#include "till-permission.h"
#include "till-store.h"
#include "till-user.h"

/* scrypt with the parameters RFC 7914 suggests for interactive logins: about
 * 16 MiB and tens of milliseconds per try, which makes guessing a short PIN from a
 * stolen database slow while a cashier does not notice the wait. */
#define PIN_SALT_LEN 16
#define PIN_HASH_LEN 32
#define PIN_SCRYPT_N 16384
#define PIN_SCRYPT_R 8
#define PIN_SCRYPT_P 1
#define PIN_SCRYPT_MEM (64 * 1024 * 1024)
#define PIN_MIN_DIGITS 4
#define PIN_MAX_DIGITS 8

/* Badges are bearer tokens read by a scanner, and the sign-in has only the badge
 * to find the user by, so the stored form must be deterministic: scrypt with one
 * random salt per store (setting "badge_salt") rather than one per user. An
 * HMAC would be as good only with a key kept outside this database; scrypt keeps
 * a stolen database expensive to search even for short card numbers, and it
 * costs one hash per scan, the same as a PIN. */
#define BADGE_SALT_SETTING "badge_salt"
#define BADGE_MIN_LEN 4
#define BADGE_MAX_LEN 128

/* Sign-in state changed while the caller held a transaction (a supervisor's PIN
 * checked for an override): kept here rather than written into that transaction,
 * so that a rollback of the refused act cannot undo a wrong PIN's count. Written
 * out at the next sign-in or unlock outside a transaction. */
#define PENDING_AUTH_KEY "till-user-pending-auth"
#define CLOCK_KEY "till-user-clock"

typedef struct
{
  int    failed_attempts;
  gint64 locked_until_us;
} AuthState;

typedef struct
{
  TillUserClockFunc now_func;
} Clock;

struct _TillUser
{
  GObject parent_instance;

  gint64   id;
  char    *code;
  char    *name;
  TillRole role;
};

G_DEFINE_FINAL_TYPE (TillUser, till_user, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_user_error_quark, till_user_error)

enum
{
  PROP_0,
  PROP_ID,
  PROP_CODE,
  PROP_NAME,
  PROP_ROLE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static const char *const role_names[] = {
  [TILL_ROLE_CASHIER] = "cashier",
  [TILL_ROLE_SUPERVISOR] = "supervisor",
  [TILL_ROLE_MANAGER] = "manager",
  [TILL_ROLE_ADMIN] = "admin",
};

gboolean
till_role_from_string (const char *text, TillRole *out_role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    {
      if (g_strcmp0 (text, role_names[i]) == 0)
        {
          *out_role = (TillRole) i;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
pin_is_well_formed (const char *pin)
{
  gsize len;

  if (pin == NULL)
    return FALSE;
  len = strlen (pin);
  if (len < PIN_MIN_DIGITS || len > PIN_MAX_DIGITS)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      return FALSE;
  return TRUE;
}

static void
set_bad_pin_format (GError **error)
{
  g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN, _ ("A PIN is %d to %d digits"),
               PIN_MIN_DIGITS, PIN_MAX_DIGITS);
}

static gboolean
hash_pin (const char *pin, const guint8 *salt, guint8 out_hash[PIN_HASH_LEN], GError **error)
{
  if (EVP_PBE_scrypt (pin, strlen (pin), salt, PIN_SALT_LEN, PIN_SCRYPT_N, PIN_SCRYPT_R,
                      PIN_SCRYPT_P, PIN_SCRYPT_MEM, out_hash, PIN_HASH_LEN) != 1)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_FAILED,
                   _ ("Cannot compute the PIN hash (out of memory?)"));
      return FALSE;
    }
  return TRUE;
}

static TillUser *
user_new (gint64 id, const char *code, const char *name, TillRole role)
{
  TillUser *self = g_object_new (TILL_TYPE_USER, NULL);

  self->id = id;
  self->code = g_strdup (code);
  self->name = g_strdup (name);
  self->role = role;
  return self;
}

static void
till_user_finalize (GObject *object)
{
  TillUser *self = (TillUser *) object;

  g_free (self->code);
  g_free (self->name);

  G_OBJECT_CLASS (till_user_parent_class)->finalize (object);
}

static void
till_user_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillUser *self = TILL_USER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ROLE:
      g_value_set_int (value, self->role);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_user_class_init (TillUserClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = till_user_finalize;
  object_class->get_property = till_user_get_property;

  /* Read-only: a signed-in user is a snapshot of the row at sign-in. */
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_ROLE] = g_param_spec_int ("role", NULL, NULL, TILL_ROLE_CASHIER, TILL_ROLE_ADMIN,
                                            TILL_ROLE_CASHIER, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_user_init (TillUser *self)
{
}

/**
 * till_user_create:
 * @code: the sign-in code, unique
 * @name: the name printed on receipts
 * @pin: 4 to 8 digits
 *
 * Stores a new active user with a salted scrypt hash of @pin.
 *
 * Returns: the new user's id, or 0 with @error set
 */
gint64
till_user_create (TillStore  *store,
                  const char *code,
                  const char *name,
                  TillRole    role,
                  const char *pin,
                  GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  guint8 salt[PIN_SALT_LEN];
  guint8 hash[PIN_HASH_LEN];
  gint64 id;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (code != NULL && name != NULL, 0);
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (*code == '\0' || *name == '\0')
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_FAILED,
                   _ ("A user needs a code and a name"));
      return 0;
    }
  if (!pin_is_well_formed (pin))
    {
      set_bad_pin_format (error);
      return 0;
    }

  if (RAND_bytes (salt, sizeof salt) != 1)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_FAILED,
                   _ ("The system random number generator failed"));
      return 0;
    }
  if (!hash_pin (pin, salt, hash, error))
    return 0;

  stmt = till_store_prepare (store,
                             "INSERT INTO user (code, name, role, pin_salt, pin_hash, active) "
                             "VALUES (?, ?, ?, ?, ?, 1)",
                             error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, role_names[role], -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 4, salt, sizeof salt, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 5, hash, sizeof hash, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3 *db = till_store_get_db (store);

      if (sqlite3_extended_errcode (db) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_DUPLICATE,
                     _ ("There is already a user with the code %s"), code);
      else
        till_store_set_error (store, error, _ ("Cannot store the user"));
      return 0;
    }
  id = sqlite3_last_insert_rowid (till_store_get_db (store));
  OPENSSL_cleanse (hash, sizeof hash);
  return id;
}

/**
 * till_user_list_active:
 *
 * Returns: (transfer full) (element-type TillUser): the active users by code, or
 *   %NULL with @error set
 */
GPtrArray *
till_user_list_active (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) users = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (
      store, "SELECT id, code, name, role FROM user WHERE active ORDER BY code", error);
  if (stmt == NULL)
    return NULL;

  users = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillRole role;

      if (!till_role_from_string ((const char *) sqlite3_column_text (stmt, 3), &role))
        {
          /* A role this version does not know gets no more than a cashier's rights. */
          g_debug ("User %s has an unknown role %s", sqlite3_column_text (stmt, 1),
                   sqlite3_column_text (stmt, 3));
          role = TILL_ROLE_CASHIER;
        }
      g_ptr_array_add (users, user_new (sqlite3_column_int64 (stmt, 0),
                                        (const char *) sqlite3_column_text (stmt, 1),
                                        (const char *) sqlite3_column_text (stmt, 2), role));
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot list the users"));
      return NULL;
    }
  return g_steal_pointer (&users);
}

/* Canonical JSON for journal bodies: the same record always gives the same bytes. */
void
_till_json_append_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

void
_till_json_append_key_string (GString *out, const char *key, const char *value)
{
  g_string_append_printf (out, "\"%s\":", key);
  if (value == NULL)
    g_string_append (out, "null");
  else
    _till_json_append_string (out, value);
}

void
_till_json_append_key_int (GString *out, const char *key, gint64 value)
{
  g_string_append_printf (out, "\"%s\":%" G_GINT64_FORMAT, key, value);
}

/* Joins the caller's transaction when there is one, else starts one. */
gboolean
_till_user_begin (TillStore *store, gboolean *out_began, GError **error)
{
  *out_began = FALSE;
  if (till_store_in_transaction (store))
    return TRUE;
  if (!till_store_begin (store, error))
    return FALSE;
  *out_began = TRUE;
  return TRUE;
}

/* Commits or rolls back what _till_user_begin() started; @ok says whether the
 * work succeeded (with @error set when not). */
gboolean
_till_user_end (TillStore *store, gboolean began, gboolean ok, GError **error)
{
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
 * _till_user_journal_change:
 * @action: "create", "role", "limits", "role-permission", "badge", "unlock"
 * @user_code: (nullable): the user changed, NULL for a change to a role
 * @details: (nullable): more members, each starting with a comma
 *
 * Appends a "user-change" entry in the current transaction.
 */
gboolean
_till_user_journal_change (TillStore   *store,
                           TillJournal *journal,
                           const char  *action,
                           const char  *actor_code,
                           const char  *user_code,
                           GString     *details,
                           GError     **error)
{
  g_autoptr (GString) body = g_string_new ("{");
  g_autoptr (GBytes) bytes = NULL;

  _till_json_append_key_string (body, "action", action);
  g_string_append_c (body, ',');
  _till_json_append_key_string (body, "actor_code", actor_code);
  g_string_append_c (body, ',');
  _till_json_append_key_string (body, "user_code", user_code);
  if (details != NULL)
    g_string_append_len (body, details->str, details->len);
  g_string_append_c (body, '}');

  bytes = g_bytes_new (body->str, body->len);
  return till_journal_append (journal, "user-change", NULL, till_user_now (store), bytes, NULL,
                              NULL, error);
}

static GHashTable *
get_pending (TillStore *store, gboolean create)
{
  GHashTable *pending = g_object_get_data (G_OBJECT (store), PENDING_AUTH_KEY);

  if (pending == NULL && create)
    {
      pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      g_object_set_data_full (G_OBJECT (store), PENDING_AUTH_KEY, pending,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return pending;
}

static gboolean
update_auth_state (TillStore *store, gint64 id, const AuthState *state, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store, "UPDATE user SET failed_attempts = ?, locked_until_us = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, state->failed_attempts);
  sqlite3_bind_int64 (stmt, 2, state->locked_until_us);
  sqlite3_bind_int64 (stmt, 3, id);
  return till_store_step_done (store, stmt, error);
}

/* Writes the sign-in state of users changed inside a caller's transaction. */
static gboolean
flush_pending (TillStore *store, GError **error)
{
  GHashTable    *pending = get_pending (store, FALSE);
  GHashTableIter iter;
  gpointer       key, value;
  gboolean       ok = TRUE;

  if (pending == NULL || g_hash_table_size (pending) == 0 || till_store_in_transaction (store))
    return TRUE;
  if (!till_store_begin (store, error))
    return FALSE;
  g_hash_table_iter_init (&iter, pending);
  while (ok && g_hash_table_iter_next (&iter, &key, &value))
    ok = update_auth_state (store, *(gint64 *) key, value, error);
  if (!_till_user_end (store, TRUE, ok, error))
    return FALSE;
  g_hash_table_remove_all (pending);
  return TRUE;
}

/* Records a user's new sign-in state: in its own transaction, so a failure
 * counts whatever the caller does next, or, inside a caller's transaction, in
 * memory until flush_pending(). */
static gboolean
write_auth_state (TillStore *store, gint64 id, const AuthState *state, GError **error)
{
  gboolean ok;

  if (till_store_in_transaction (store))
    {
      g_hash_table_insert (get_pending (store, TRUE), g_memdup2 (&id, sizeof id),
                           g_memdup2 (state, sizeof *state));
      return TRUE;
    }
  if (!till_store_begin (store, error))
    return FALSE;
  ok = update_auth_state (store, id, state, error);
  return _till_user_end (store, TRUE, ok, error);
}

/* The state that holds now: a pending change wins over the row, and a lock that
 * has run out starts the count again. */
static AuthState
effective_auth_state (TillStore *store, gint64 id, const AuthState *stored, gint64 now)
{
  GHashTable *pending = get_pending (store, FALSE);
  AuthState  *overlay = pending != NULL ? g_hash_table_lookup (pending, &id) : NULL;
  AuthState   state = overlay != NULL ? *overlay : *stored;

  if (state.locked_until_us != 0 && state.locked_until_us <= now)
    {
      state.failed_attempts = 0;
      state.locked_until_us = 0;
    }
  return state;
}

static void
set_locked_error (GError **error, gint64 locked_until_us)
{
  g_autoptr (GDateTime) until = g_date_time_new_from_unix_local (locked_until_us / G_USEC_PER_SEC);
  g_autofree char *when = until != NULL ? g_date_time_format (until, "%H:%M") : g_strdup ("?");

  g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_LOCKED,
               _ ("Too many wrong PINs: this user is locked until %s, or until a manager "
                  "unlocks it"),
               when);
}

static char *
normalize_badge (const char *badge)
{
  /* Scanners in keyboard mode end the code with Enter or Tab. */
  char *text = g_strstrip (g_strdup (badge));
  gsize len = strlen (text);

  if (len < BADGE_MIN_LEN || len > BADGE_MAX_LEN)
    {
      g_free (text);
      return NULL;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isprint (text[i]))
      {
        g_free (text);
        return NULL;
      }
  return text;
}

/* The store's badge salt; with @create, made on first use. A store without one
 * has no badges, and the zero salt then matches nothing. */
static gboolean
get_badge_salt (TillStore *store, gboolean create, guint8 out_salt[PIN_SALT_LEN], GError **error)
{
  g_autofree char *hex = till_store_get_setting (store, BADGE_SALT_SETTING);

  memset (out_salt, 0, PIN_SALT_LEN);
  if (hex != NULL && strlen (hex) == 2 * PIN_SALT_LEN)
    {
      for (int i = 0; i < PIN_SALT_LEN; i++)
        out_salt[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) * 16 +
                                g_ascii_xdigit_value (hex[2 * i + 1]));
      return TRUE;
    }
  if (!create)
    return TRUE;

  if (RAND_bytes (out_salt, PIN_SALT_LEN) != 1)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_FAILED,
                   _ ("The system random number generator failed"));
      return FALSE;
    }
  {
    g_autoptr (GString) text = g_string_new (NULL);

    for (int i = 0; i < PIN_SALT_LEN; i++)
      g_string_append_printf (text, "%02x", out_salt[i]);
    return till_store_set_setting (store, BADGE_SALT_SETTING, text->str, error);
  }
}

typedef struct
{
  gint64    id;
  char     *code;
  char     *name;
  TillRole  role;
  guint8    pin_salt[PIN_SALT_LEN];
  guint8    pin_hash[PIN_HASH_LEN];
  guint8    badge_hash[PIN_HASH_LEN];
  gboolean  has_badge;
  AuthState stored;
} UserRow;

static void
user_row_clear (UserRow *row)
{
  g_clear_pointer (&row->code, g_free);
  g_clear_pointer (&row->name, g_free);
  OPENSSL_cleanse (row->pin_hash, sizeof row->pin_hash);
}

#define USER_ROW_COLUMNS \
  "id, code, name, role, pin_salt, pin_hash, failed_attempts, locked_until_us, badge_hash"

/* Reads the active user matching the statement's one bound parameter.
 * Returns: TRUE with *out_found; FALSE with @error on a database error */
static gboolean
read_user_row (TillStore *store, TillStmt *stmt, UserRow *row, gboolean *out_found, GError **error)
{
  int rc = sqlite3_step (stmt);

  *out_found = FALSE;
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the users"));
      return FALSE;
    }
  if (sqlite3_column_bytes (stmt, 4) != PIN_SALT_LEN ||
      sqlite3_column_bytes (stmt, 5) != PIN_HASH_LEN ||
      !till_role_from_string ((const char *) sqlite3_column_text (stmt, 3), &row->role))
    {
      g_debug ("The user %s has a damaged PIN record or an unknown role; refusing sign-in",
               sqlite3_column_text (stmt, 1));
      return TRUE;
    }
  *out_found = TRUE;
  row->id = sqlite3_column_int64 (stmt, 0);
  row->code = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  memcpy (row->pin_salt, sqlite3_column_blob (stmt, 4), PIN_SALT_LEN);
  memcpy (row->pin_hash, sqlite3_column_blob (stmt, 5), PIN_HASH_LEN);
  row->stored.failed_attempts = sqlite3_column_int (stmt, 6);
  row->stored.locked_until_us = sqlite3_column_int64 (stmt, 7);
  row->has_badge = sqlite3_column_bytes (stmt, 8) == PIN_HASH_LEN;
  if (row->has_badge)
    memcpy (row->badge_hash, sqlite3_column_blob (stmt, 8), PIN_HASH_LEN);
  return TRUE;
}

/* After the secret was checked against a found user: refuses a locked user,
 * counts a failure, clears the count on success. */
static TillUser *
finish_sign_in (TillStore *store, UserRow *row, gboolean matched, GError **error)
{
  gint64    now = till_user_now (store);
  AuthState state = effective_auth_state (store, row->id, &row->stored, now);

  if (state.locked_until_us > now)
    {
      set_locked_error (error, state.locked_until_us);
      return NULL;
    }
  if (!matched)
    {
      state.failed_attempts++;
      if (state.failed_attempts >= TILL_USER_MAX_FAILED_ATTEMPTS)
        {
          state.locked_until_us = now + TILL_USER_LOCKOUT_US;
          g_info ("User %s locked after %d wrong PINs", row->code, state.failed_attempts);
        }
      if (!write_auth_state (store, row->id, &state, error))
        return NULL;
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN,
                   _ ("The user code or the PIN is wrong"));
      return NULL;
    }
  if (row->stored.failed_attempts != 0 || row->stored.locked_until_us != 0 ||
      state.failed_attempts != 0)
    {
      AuthState cleared = { 0, 0 };

      if (!write_auth_state (store, row->id, &cleared, error))
        return NULL;
    }
  return user_new (row->id, row->code, row->name, row->role);
}

/* The one path every sign-in by code takes: a PIN, or (@by_badge) the badge of
 * the user with @code. */
static TillUser *
authenticate (
    TillStore *store, const char *code, const char *secret, gboolean by_badge, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *badge = NULL;
  UserRow          row = { 0 };
  guint8           salt[PIN_SALT_LEN] = { 0 };
  guint8           hash[PIN_HASH_LEN];
  gboolean         found = FALSE;
  gboolean         matched;
  TillUser        *user;

  if (by_badge)
    {
      badge = secret != NULL ? normalize_badge (secret) : NULL;
      if (badge == NULL)
        {
          g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE,
                       _ ("This is not a badge code"));
          return NULL;
        }
    }
  else if (!pin_is_well_formed (secret))
    {
      set_bad_pin_format (error);
      return NULL;
    }

  if (!flush_pending (store, error))
    return NULL;

  stmt = till_store_prepare (
      store, "SELECT " USER_ROW_COLUMNS " FROM user WHERE code = ? AND active", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  if (!read_user_row (store, stmt, &row, &found, error))
    return NULL;

  /* Hash even for an unknown user or a locked one (with the zero salt), so the
   * answer takes the same time either way and a lock is no fast oracle. */
  if (by_badge)
    {
      if (!get_badge_salt (store, FALSE, salt, error))
        {
          user_row_clear (&row);
          return NULL;
        }
    }
  else if (found)
    memcpy (salt, row.pin_salt, PIN_SALT_LEN);
  if (!hash_pin (by_badge ? badge : secret, salt, hash, error))
    {
      user_row_clear (&row);
      return NULL;
    }

  if (by_badge)
    matched = found && row.has_badge && CRYPTO_memcmp (hash, row.badge_hash, PIN_HASH_LEN) == 0;
  else
    matched = found && CRYPTO_memcmp (hash, row.pin_hash, PIN_HASH_LEN) == 0;
  OPENSSL_cleanse (hash, sizeof hash);

  if (!found)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN,
                   _ ("The user code or the PIN is wrong"));
      return NULL;
    }
  user = finish_sign_in (store, &row, matched, error);
  user_row_clear (&row);
  return user;
}

TillUser *
_till_user_authenticate (
    TillStore *store, const char *code, const char *secret, gboolean by_badge, GError **error)
{
  return authenticate (store, code, secret, by_badge, error);
}

/**
 * till_user_authenticate:
 * @code: the user's code
 * @pin: the PIN typed
 *
 * Checks a sign-in. A wrong PIN and an unknown or inactive code give the same
 * %TILL_USER_ERROR_BAD_PIN and the same message, and take the same time (scrypt
 * runs on every attempt), so that the sign-in screen does not tell which user
 * codes exist. After %TILL_USER_MAX_FAILED_ATTEMPTS wrong PINs in a row the user
 * is refused with %TILL_USER_ERROR_LOCKED for %TILL_USER_LOCKOUT_US, even with
 * the right PIN, or until till_user_unlock(); a right PIN clears the count.
 * (A lock does tell that the code exists, after five wrong tries on it.)
 *
 * Outside a transaction the count is written in a transaction of its own;
 * inside one (a supervisor approving an override) it is kept in memory and
 * written at the next sign-in, so a rollback cannot undo it.
 *
 * Returns: (transfer full): the signed-in user, or %NULL with @error set
 */
TillUser *
till_user_authenticate (TillStore *store, const char *code, const char *pin, GError **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return authenticate (store, code, pin, FALSE, error);
}

/**
 * till_user_authenticate_badge:
 * @badge: the code the scanner read
 *
 * Signs in by badge alone. An unknown badge is %TILL_USER_ERROR_BAD_BADGE and
 * counts against nobody (it names no user); a locked user is refused with
 * %TILL_USER_ERROR_LOCKED as with a PIN.
 *
 * Returns: (transfer full): the signed-in user, or %NULL with @error set
 */
TillUser *
till_user_authenticate_badge (TillStore *store, const char *badge, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *normalized = NULL;
  UserRow          row = { 0 };
  guint8           salt[PIN_SALT_LEN];
  guint8           hash[PIN_HASH_LEN];
  gboolean         found = FALSE;
  TillUser        *user;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (badge != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = normalize_badge (badge);
  if (normalized == NULL)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE,
                   _ ("This is not a badge code"));
      return NULL;
    }
  if (!flush_pending (store, error) || !get_badge_salt (store, FALSE, salt, error) ||
      !hash_pin (normalized, salt, hash, error))
    return NULL;

  stmt = till_store_prepare (
      store, "SELECT " USER_ROW_COLUMNS " FROM user WHERE badge_hash = ? AND active", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_TRANSIENT);
  OPENSSL_cleanse (hash, sizeof hash);
  if (!read_user_row (store, stmt, &row, &found, error))
    return NULL;
  if (!found)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE,
                   _ ("This badge belongs to no user"));
      return NULL;
    }
  user = finish_sign_in (store, &row, TRUE, error);
  user_row_clear (&row);
  return user;
}

/**
 * till_user_create_journaled:
 * @actor_code: (nullable): the manager creating the user
 *
 * till_user_create() plus a "user-change" journal entry (action "create"), in
 * the caller's transaction or its own. The caller checks the actor's
 * %TILL_PERMISSION_MANAGE_USERS.
 *
 * Returns: the new user's id, or 0 with @error set
 */
gint64
till_user_create_journaled (TillStore   *store,
                            TillJournal *journal,
                            const char  *actor_code,
                            const char  *code,
                            const char  *name,
                            TillRole     role,
                            const char  *pin,
                            GError     **error)
{
  g_autoptr (GString) details = g_string_new (NULL);
  gboolean began;
  gint64   id;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), 0);
  g_return_val_if_fail (code != NULL && name != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!_till_user_begin (store, &began, error))
    return 0;
  id = till_user_create (store, code, name, role, pin, error);
  if (id != 0)
    {
      g_string_append_c (details, ',');
      _till_json_append_key_string (details, "name", name);
      g_string_append_c (details, ',');
      _till_json_append_key_string (details, "role", role_names[role]);
    }
  if (!_till_user_end (store, began,
                       id != 0 && _till_user_journal_change (store, journal, "create", actor_code,
                                                             code, details, error),
                       error))
    return 0;
  return id;
}

/**
 * _till_user_other_manager_exists:
 * @except_id: a user to leave out (the one being deactivated or demoted), or 0
 * @changed_role: a role whose right to manage users is taken as
 *   @changed_allowed (a change being made), or -1
 *
 * Whether some active user other than @except_id may manage users.
 */
gboolean
_till_user_other_manager_exists (TillStore *store,
                                 gint64     except_id,
                                 int        changed_role,
                                 gboolean   changed_allowed,
                                 gboolean  *out_exists,
                                 GError   **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT role FROM user WHERE active AND id != ?", error);
  int rc;

  *out_exists = FALSE;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, except_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillRole role;

      /* An unknown role counts as a cashier's, as everywhere. */
      if (!till_role_from_string ((const char *) sqlite3_column_text (stmt, 0), &role))
        role = TILL_ROLE_CASHIER;
      if (role == TILL_ROLE_ADMIN ||
          ((int) role == changed_role
               ? changed_allowed
               : till_permission_role_has (store, role, TILL_PERMISSION_MANAGE_USERS)))
        {
          *out_exists = TRUE;
          return TRUE;
        }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the users"));
      return FALSE;
    }
  return TRUE;
}

/* Refuses a change that would leave nobody able to manage users: the till
 * could then never be administered again without opening its database. */
static gboolean
refuse_if_last_manager (TillStore *store, gint64 user_id, GError **error)
{
  gboolean exists;

  if (!_till_user_other_manager_exists (store, user_id, -1, FALSE, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER,
                   _ ("This is the last user who can manage users: make another manager first"));
      return FALSE;
    }
  return TRUE;
}

/* Returns: the id of the active user @code, or 0 with @error set */
static gint64
find_user_id (TillStore *store, const char *code, TillRole *out_role, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT id, role FROM user WHERE code = ? AND active", error);
  int rc;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_role != NULL &&
          !till_role_from_string ((const char *) sqlite3_column_text (stmt, 1), out_role))
        *out_role = TILL_ROLE_CASHIER;
      return sqlite3_column_int64 (stmt, 0);
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER, _ ("There is no user %s"), code);
  else
    till_store_set_error (store, error, _ ("Cannot read the users"));
  return 0;
}

/* One text column of user @id changes from @from to @to (@update_sql is a
 * fixed statement of this file binding the value, then the id), journaled as
 * @action with both values. */
static gboolean
change_text_field (TillStore   *store,
                   TillJournal *journal,
                   const char  *update_sql,
                   const char  *action,
                   const char  *actor_code,
                   const char  *user_code,
                   gint64       id,
                   const char  *from,
                   const char  *to,
                   GError     **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, update_sql, error);
  g_autoptr (GString) details = g_string_new (NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, to, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  g_string_append_c (details, ',');
  _till_json_append_key_string (details, "from", from);
  g_string_append_c (details, ',');
  _till_json_append_key_string (details, "to", to);
  return _till_user_journal_change (store, journal, action, actor_code, user_code, details, error);
}

/**
 * till_user_set_role:
 *
 * Gives the active user @user_code another role and journals it (action
 * "role", from and to). A signed-in #TillUser keeps the role it signed in with;
 * till_permission_check() reads the stored one. The caller checks the actor's
 * %TILL_PERMISSION_MANAGE_USERS.
 */
gboolean
till_user_set_role (TillStore   *store,
                    TillJournal *journal,
                    const char  *actor_code,
                    const char  *user_code,
                    TillRole     role,
                    GError     **error)
{
  TillRole old_role = TILL_ROLE_CASHIER;
  gboolean began;
  gboolean ok;
  gint64   id;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (user_code != NULL, FALSE);
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_till_user_begin (store, &began, error))
    return FALSE;
  id = find_user_id (store, user_code, &old_role, error);
  ok = id != 0;
  if (ok && till_permission_role_has (store, old_role, TILL_PERMISSION_MANAGE_USERS) &&
      !till_permission_role_has (store, role, TILL_PERMISSION_MANAGE_USERS))
    ok = refuse_if_last_manager (store, id, error);
  if (ok)
    ok = change_text_field (store, journal, "UPDATE user SET role = ? WHERE id = ?", "role",
                            actor_code, user_code, id, role_names[old_role], role_names[role],
                            error);
  return _till_user_end (store, began, ok, error);
}

/**
 * till_user_set_badge:
 * @badge: (nullable): the badge code as scanned, or %NULL to remove the badge
 *
 * Stores the badge as a scrypt hash with the store's badge salt (see the top of
 * this file) and journals the change (action "badge"; never the code itself).
 * A badge already given to another user is %TILL_USER_ERROR_DUPLICATE. The
 * caller checks the actor's %TILL_PERMISSION_MANAGE_USERS.
 */
gboolean
till_user_set_badge (TillStore   *store,
                     TillJournal *journal,
                     const char  *actor_code,
                     const char  *user_code,
                     const char  *badge,
                     GError     **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) details = g_string_new (NULL);
  g_autofree char *normalized = NULL;
  guint8           salt[PIN_SALT_LEN];
  guint8           hash[PIN_HASH_LEN];
  gboolean         began;
  gboolean         ok;
  gint64           id;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (user_code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (badge != NULL)
    {
      normalized = normalize_badge (badge);
      if (normalized == NULL)
        {
          g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_BADGE,
                       _ ("A badge code is %d to %d printable characters"), BADGE_MIN_LEN,
                       BADGE_MAX_LEN);
          return FALSE;
        }
    }

  if (!_till_user_begin (store, &began, error))
    return FALSE;
  id = find_user_id (store, user_code, NULL, error);
  ok = id != 0;
  if (ok && normalized != NULL)
    ok = get_badge_salt (store, TRUE, salt, error) && hash_pin (normalized, salt, hash, error);
  if (ok)
    {
      stmt = till_store_prepare (store, "UPDATE user SET badge_hash = ? WHERE id = ?", error);
      ok = stmt != NULL;
    }
  if (ok)
    {
      if (normalized != NULL)
        sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, 1);
      sqlite3_bind_int64 (stmt, 2, id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          ok = FALSE;
          if (sqlite3_extended_errcode (till_store_get_db (store)) == SQLITE_CONSTRAINT_UNIQUE)
            g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_DUPLICATE,
                         _ ("This badge already belongs to another user"));
          else
            till_store_set_error (store, error, _ ("Cannot store the badge"));
        }
    }
  OPENSSL_cleanse (hash, sizeof hash);
  if (ok)
    {
      g_string_append_c (details, ',');
      _till_json_append_key_int (details, "badge", normalized != NULL ? 1 : 0);
      ok = _till_user_journal_change (store, journal, "badge", actor_code, user_code, details,
                                      error);
    }
  return _till_user_end (store, began, ok, error);
}

/**
 * till_user_unlock:
 *
 * Lifts a lockout and clears the count of wrong PINs; journaled (action
 * "unlock"). The caller checks the actor's %TILL_PERMISSION_MANAGE_USERS.
 */
gboolean
till_user_unlock (TillStore   *store,
                  TillJournal *journal,
                  const char  *actor_code,
                  const char  *user_code,
                  GError     **error)
{
  GHashTable *pending;
  AuthState   cleared = { 0, 0 };
  gboolean    began;
  gboolean    ok;
  gint64      id;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (user_code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!flush_pending (store, error) || !_till_user_begin (store, &began, error))
    return FALSE;
  id = find_user_id (store, user_code, NULL, error);
  ok = id != 0 && update_auth_state (store, id, &cleared, error) &&
       _till_user_journal_change (store, journal, "unlock", actor_code, user_code, NULL, error);
  if (!_till_user_end (store, began, ok, error))
    return FALSE;
  pending = get_pending (store, FALSE);
  if (pending != NULL)
    g_hash_table_remove (pending, &id);
  return TRUE;
}

void
till_user_info_free (TillUserInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->code);
  g_free (info->name);
  g_free (info);
}

#define INFO_COLUMNS                                                                         \
  "id, code, name, role, active, badge_hash IS NOT NULL, failed_attempts, locked_until_us, " \
  "max_line_discount_bp, max_price_override, max_refund"

static TillUserInfo *
info_from_row (TillStore *store, TillStmt *stmt, gint64 now)
{
  TillUserInfo  *info = g_new0 (TillUserInfo, 1);
  TillUserLimits limits;
  AuthState      stored;
  AuthState      state;

  info->id = sqlite3_column_int64 (stmt, 0);
  info->code = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  if (!till_role_from_string ((const char *) sqlite3_column_text (stmt, 3), &info->role))
    info->role = TILL_ROLE_CASHIER;
  info->active = sqlite3_column_int (stmt, 4) != 0;
  info->has_badge = sqlite3_column_int (stmt, 5) != 0;
  stored.failed_attempts = sqlite3_column_int (stmt, 6);
  stored.locked_until_us = sqlite3_column_int64 (stmt, 7);
  /* What sign-in would see: a count still pending counts, an expired lock not. */
  state = effective_auth_state (store, info->id, &stored, now);
  info->failed_attempts = state.failed_attempts;
  info->locked_until_us = state.locked_until_us > now ? state.locked_until_us : 0;

  till_user_limits_for_role (info->role, &limits);
  info->own_limits = FALSE;
  if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
    {
      limits.max_line_discount_bp = sqlite3_column_int (stmt, 8);
      info->own_limits = TRUE;
    }
  if (sqlite3_column_type (stmt, 9) != SQLITE_NULL)
    {
      limits.max_price_override = sqlite3_column_int64 (stmt, 9);
      info->own_limits = TRUE;
    }
  if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
    {
      limits.max_refund = sqlite3_column_int64 (stmt, 10);
      info->own_limits = TRUE;
    }
  info->max_line_discount_bp = limits.max_line_discount_bp;
  info->max_price_override = limits.max_price_override;
  info->max_refund = limits.max_refund;
  return info;
}

/**
 * till_user_list:
 *
 * Every user, active or not, by code, as the manager's screen shows them: the
 * lockout as sign-in sees it now, whether a badge is set, the limits in force.
 *
 * Returns: (transfer full) (element-type TillUserInfo): the users, or %NULL
 *   with @error set
 */
GPtrArray *
till_user_list (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) users = NULL;
  gint64 now;
  int    rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store, "SELECT " INFO_COLUMNS " FROM user ORDER BY code", error);
  if (stmt == NULL)
    return NULL;
  now = till_user_now (store);
  users = g_ptr_array_new_with_free_func ((GDestroyNotify) till_user_info_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (users, info_from_row (store, stmt, now));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot list the users"));
      return NULL;
    }
  return g_steal_pointer (&users);
}

/**
 * till_user_get_info:
 * @code: a user's code, active or not
 *
 * Returns: (transfer full): the user as till_user_list() shows them, or %NULL
 *   with @error set (%TILL_USER_ERROR_NO_USER when there is none)
 */
TillUserInfo *
till_user_get_info (TillStore *store, const char *code, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store, "SELECT " INFO_COLUMNS " FROM user WHERE code = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return info_from_row (store, stmt, till_user_now (store));
  if (rc == SQLITE_DONE)
    g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER, _ ("There is no user %s"), code);
  else
    till_store_set_error (store, error, _ ("Cannot read the users"));
  return NULL;
}

/**
 * till_user_lookup:
 * @code: an active user's code
 *
 * Returns: (transfer full): the active user @code as stored, or %NULL with
 *   @error set (%TILL_USER_ERROR_NO_USER)
 */
TillUser *
till_user_lookup (TillStore *store, const char *code, GError **error)
{
  g_autoptr (TillUserInfo) info = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = till_user_get_info (store, code, error);
  if (info == NULL)
    return NULL;
  if (!info->active)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER, _ ("The user %s is not active"),
                   code);
      return NULL;
    }
  return user_new (info->id, info->code, info->name, info->role);
}

/**
 * till_user_check_may_manage:
 * @actor_code: the user about to make a change
 *
 * Reads the actor's role from the store, as till_permission_check() does, so
 * a manager demoted or deactivated since sign-in is refused at once.
 *
 * Returns: %TRUE when @actor_code may manage users; else %FALSE with
 *   %TILL_PERMISSION_ERROR_DENIED (or a database error)
 */
gboolean
till_user_check_may_manage (TillStore *store, const char *actor_code, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  TillRole role = TILL_ROLE_CASHIER;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (actor_code == NULL || find_user_id (store, actor_code, &role, &local_error) == 0)
    {
      if (local_error != NULL &&
          !g_error_matches (local_error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED,
                   _ ("Only a manager can manage users; sign in as a manager"));
      return FALSE;
    }
  if (!till_permission_role_has (store, role, TILL_PERMISSION_MANAGE_USERS))
    {
      g_set_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED,
                   _ ("Only a manager can manage users; sign in as a manager"));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_user_reset_pin:
 * @pin: the new PIN, 4 to 8 digits
 *
 * Gives the active user @user_code a new PIN (a new salt too), clears their
 * wrong-PIN count and lockout, and journals it (action "pin"). Checks the
 * actor's %TILL_PERMISSION_MANAGE_USERS.
 */
gboolean
till_user_reset_pin (TillStore   *store,
                     TillJournal *journal,
                     const char  *actor_code,
                     const char  *user_code,
                     const char  *pin,
                     GError     **error)
{
  guint8      salt[PIN_SALT_LEN];
  guint8      hash[PIN_HASH_LEN];
  GHashTable *pending;
  gboolean    began;
  gboolean    ok;
  gint64      id;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (user_code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!pin_is_well_formed (pin))
    {
      set_bad_pin_format (error);
      return FALSE;
    }
  if (!flush_pending (store, error) || !_till_user_begin (store, &began, error))
    return FALSE;
  ok = till_user_check_may_manage (store, actor_code, error);
  id = ok ? find_user_id (store, user_code, NULL, error) : 0;
  ok = id != 0;
  if (ok && RAND_bytes (salt, sizeof salt) != 1)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_FAILED,
                   _ ("The system random number generator failed"));
      ok = FALSE;
    }
  if (ok)
    ok = hash_pin (pin, salt, hash, error);
  if (ok)
    {
      g_autoptr (TillStmt) stmt =
          till_store_prepare (store,
                              "UPDATE user SET pin_salt = ?, pin_hash = ?, failed_attempts = 0, "
                              "locked_until_us = 0 WHERE id = ?",
                              error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_blob (stmt, 1, salt, sizeof salt, SQLITE_TRANSIENT);
          sqlite3_bind_blob (stmt, 2, hash, sizeof hash, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (stmt, 3, id);
          ok = till_store_step_done (store, stmt, error);
        }
      OPENSSL_cleanse (hash, sizeof hash);
    }
  if (ok)
    ok = _till_user_journal_change (store, journal, "pin", actor_code, user_code, NULL, error);
  if (!_till_user_end (store, began, ok, error))
    return FALSE;
  pending = get_pending (store, FALSE);
  if (pending != NULL)
    g_hash_table_remove (pending, &id);
  return TRUE;
}

/**
 * till_user_set_name:
 * @name: the new name, not empty
 *
 * Renames the active user @user_code and journals it (action "name", from and
 * to). Sales already made keep the name they were made under. Checks the
 * actor's %TILL_PERMISSION_MANAGE_USERS.
 */
gboolean
till_user_set_name (TillStore   *store,
                    TillJournal *journal,
                    const char  *actor_code,
                    const char  *user_code,
                    const char  *name,
                    GError     **error)
{
  g_autoptr (TillUserInfo) info = NULL;
  g_autofree char *trimmed = NULL;
  gboolean         began;
  gboolean         ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (user_code != NULL && name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  trimmed = g_strstrip (g_strdup (name));
  if (*trimmed == '\0')
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_FAILED,
                   _ ("A user needs a code and a name"));
      return FALSE;
    }
  if (!_till_user_begin (store, &began, error))
    return FALSE;
  ok = till_user_check_may_manage (store, actor_code, error);
  if (ok)
    {
      info = till_user_get_info (store, user_code, error);
      ok = info != NULL;
    }
  if (ok && !info->active)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_NO_USER, _ ("The user %s is not active"),
                   user_code);
      ok = FALSE;
    }
  if (ok)
    ok = change_text_field (store, journal, "UPDATE user SET name = ? WHERE id = ?", "name",
                            actor_code, user_code, info->id, info->name, trimmed, error);
  return _till_user_end (store, began, ok, error);
}

/**
 * till_user_set_active:
 * @active: %FALSE to deactivate, %TRUE to reactivate
 *
 * Deactivates or reactivates @user_code and journals it (action "deactivate"
 * or "reactivate"); asking for the state the user is already in changes
 * nothing and journals nothing. A deactivated user cannot sign in, and
 * till_permission_check() refuses them at once even if signed in. Refuses
 * (%TILL_USER_ERROR_LAST_MANAGER) to deactivate the actor themselves or the
 * last active user who may manage users. Checks the actor's
 * %TILL_PERMISSION_MANAGE_USERS.
 */
gboolean
till_user_set_active (TillStore   *store,
                      TillJournal *journal,
                      const char  *actor_code,
                      const char  *user_code,
                      gboolean     active,
                      GError     **error)
{
  g_autoptr (TillUserInfo) info = NULL;
  gboolean began;
  gboolean ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (user_code != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  active = !!active;
  if (!_till_user_begin (store, &began, error))
    return FALSE;
  ok = till_user_check_may_manage (store, actor_code, error);
  if (ok)
    {
      info = till_user_get_info (store, user_code, error);
      ok = info != NULL;
    }
  if (ok && info->active == active)
    return _till_user_end (store, began, TRUE, error);
  if (ok && !active && g_strcmp0 (actor_code, user_code) == 0)
    {
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_LAST_MANAGER,
                   _ ("You cannot deactivate yourself: ask another manager"));
      ok = FALSE;
    }
  if (ok && !active && till_permission_role_has (store, info->role, TILL_PERMISSION_MANAGE_USERS))
    ok = refuse_if_last_manager (store, info->id, error);
  if (ok)
    {
      g_autoptr (TillStmt) stmt =
          till_store_prepare (store, "UPDATE user SET active = ? WHERE id = ?", error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int (stmt, 1, active ? 1 : 0);
          sqlite3_bind_int64 (stmt, 2, info->id);
          ok = till_store_step_done (store, stmt, error);
        }
    }
  if (ok)
    ok = _till_user_journal_change (store, journal, active ? "reactivate" : "deactivate",
                                    actor_code, user_code, NULL, error);
  return _till_user_end (store, began, ok, error);
}

/**
 * till_user_set_clock_for_testing:
 * @now_func: (nullable): the clock, or %NULL for the real one
 *
 * Lets a test move time (lockout expiry) without waiting.
 */
void
till_user_set_clock_for_testing (TillStore *store, TillUserClockFunc now_func)
{
  Clock *clock = NULL;

  g_return_if_fail (TILL_IS_STORE (store));

  if (now_func != NULL)
    {
      clock = g_new0 (Clock, 1);
      clock->now_func = now_func;
    }
  g_object_set_data_full (G_OBJECT (store), CLOCK_KEY, clock, g_free);
}

/* Returns: now, in microseconds since the Unix epoch, by the store's clock */
gint64
till_user_now (TillStore *store)
{
  Clock *clock;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);

  clock = g_object_get_data (G_OBJECT (store), CLOCK_KEY);
  return clock != NULL ? clock->now_func () : g_get_real_time ();
}

gint64
till_user_get_id (TillUser *self)
{
  g_return_val_if_fail (TILL_IS_USER (self), 0);
  return self->id;
}

const char *
till_user_get_code (TillUser *self)
{
  g_return_val_if_fail (TILL_IS_USER (self), NULL);
  return self->code;
}

const char *
till_user_get_name (TillUser *self)
{
  g_return_val_if_fail (TILL_IS_USER (self), NULL);
  return self->name;
}

TillRole
till_user_get_role (TillUser *self)
{
  g_return_val_if_fail (TILL_IS_USER (self), TILL_ROLE_CASHIER);
  return self->role;
}

/* Returns: the role as stored in the database ("cashier", …) */
const char *
till_role_to_string (TillRole role)
{
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names), NULL);
  return role_names[role];
}

/* Returns: the role's name for people, translated */
const char *
till_role_get_label (TillRole role)
{
  switch (role)
    {
    case TILL_ROLE_CASHIER:
      return _ ("Cashier");
    case TILL_ROLE_SUPERVISOR:
      return _ ("Supervisor");
    case TILL_ROLE_MANAGER:
      return _ ("Manager");
    case TILL_ROLE_ADMIN:
      return _ ("Administrator");
    default:
      g_return_val_if_reached (NULL);
    }
}
