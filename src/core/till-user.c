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

static gboolean
role_from_string (const char *text, TillRole *out_role)
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

      if (!role_from_string ((const char *) sqlite3_column_text (stmt, 3), &role))
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

/**
 * till_user_authenticate:
 * @code: the user's code
 * @pin: the PIN typed
 *
 * Checks a sign-in. A wrong PIN and an unknown or inactive code give the same
 * %TILL_USER_ERROR_BAD_PIN and the same message, and take the same time, so that
 * the sign-in screen does not tell which user codes exist.
 *
 * Returns: (transfer full): the signed-in user, or %NULL with @error set
 */
TillUser *
till_user_authenticate (TillStore *store, const char *code, const char *pin, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *user_code = NULL;
  g_autofree char *user_name = NULL;
  g_autofree char *role_text = NULL;
  guint8           salt[PIN_SALT_LEN] = { 0 };
  guint8           stored_hash[PIN_HASH_LEN] = { 0 };
  guint8           hash[PIN_HASH_LEN];
  gboolean         found = FALSE;
  gint64           id = 0;
  TillRole         role = TILL_ROLE_CASHIER;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!pin_is_well_formed (pin))
    {
      set_bad_pin_format (error);
      return NULL;
    }

  stmt = till_store_prepare (store,
                             "SELECT id, code, name, role, pin_salt, pin_hash FROM user "
                             "WHERE code = ? AND active",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_bytes (stmt, 4) == PIN_SALT_LEN &&
          sqlite3_column_bytes (stmt, 5) == PIN_HASH_LEN &&
          role_from_string ((const char *) sqlite3_column_text (stmt, 3), &role))
        {
          found = TRUE;
          id = sqlite3_column_int64 (stmt, 0);
          user_code = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          memcpy (salt, sqlite3_column_blob (stmt, 4), PIN_SALT_LEN);
          memcpy (stored_hash, sqlite3_column_blob (stmt, 5), PIN_HASH_LEN);
        }
      else
        g_warning ("The user %s has a damaged PIN record or an unknown role; refusing sign-in",
                   code);
    }
  else if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the users"));
      return NULL;
    }

  /* TODO (lockout issue): before hashing, refuse a user who is locked out after
   * repeated failures, and after a failure below, count it. This is the one place
   * every PIN sign-in passes through. */

  /* Hash even for an unknown user (with the zero salt), so the answer takes the
   * same time either way. */
  if (!hash_pin (pin, salt, hash, error))
    return NULL;

  if (!found || CRYPTO_memcmp (hash, stored_hash, PIN_HASH_LEN) != 0)
    {
      OPENSSL_cleanse (hash, sizeof hash);
      g_set_error (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN,
                   _ ("The user code or the PIN is wrong"));
      return NULL;
    }
  OPENSSL_cleanse (hash, sizeof hash);

  return user_new (id, user_code, user_name, role);
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
