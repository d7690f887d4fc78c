/* till-user.h: who works the till, and how they sign in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_USER_ERROR (till_user_error_quark ())

typedef enum
{
  TILL_USER_ERROR_FAILED,
  TILL_USER_ERROR_BAD_PIN, /* wrong PIN, or a PIN that is not 4 to 8 digits */
  TILL_USER_ERROR_NO_USER, /* no active user with that code */
  TILL_USER_ERROR_DUPLICATE,
  /* Too many wrong PINs: locked until a time the message names, or until a
   * manager unlocks (till_user_unlock). */
  TILL_USER_ERROR_LOCKED,
  /* A badge no active user carries, or one that is not a badge code at all. */
  TILL_USER_ERROR_BAD_BADGE,
} TillUserError;

/* Issue 5: after this many wrong PINs in a row the user is locked for
 * TILL_USER_LOCKOUT_US, or until a manager unlocks. */
#define TILL_USER_MAX_FAILED_ATTEMPTS 5
#define TILL_USER_LOCKOUT_US (15 * G_TIME_SPAN_MINUTE)

typedef enum
{
  TILL_ROLE_CASHIER,
  TILL_ROLE_SUPERVISOR,
  TILL_ROLE_MANAGER,
  TILL_ROLE_ADMIN,
} TillRole;

#define TILL_TYPE_USER (till_user_get_type ())
G_DECLARE_FINAL_TYPE (TillUser, till_user, TILL, USER, GObject)

GQuark till_user_error_quark (void);

/* PINs are stored as salted scrypt hashes (OpenSSL EVP_PBE_scrypt). */
gint64     till_user_create (TillStore  *store,
                             const char *code,
                             const char *name,
                             TillRole    role,
                             const char *pin,
                             GError    **error);
GPtrArray *till_user_list_active (TillStore *store, GError **error);
TillUser *
till_user_authenticate (TillStore *store, const char *code, const char *pin, GError **error);
TillUser *till_user_authenticate_badge (TillStore *store, const char *badge, GError **error);

/* Changes to users. Each runs in the caller's transaction when there is one,
 * else in its own, and journals a "user-change" entry naming @actor_code (the
 * manager who made the change; NULL for setup and sync). The caller checks that
 * the actor has TILL_PERMISSION_MANAGE_USERS first (till_permission_check). */
gint64   till_user_create_journaled (TillStore   *store,
                                     TillJournal *journal,
                                     const char  *actor_code,
                                     const char  *code,
                                     const char  *name,
                                     TillRole     role,
                                     const char  *pin,
                                     GError     **error);
gboolean till_user_set_role (TillStore   *store,
                             TillJournal *journal,
                             const char  *actor_code,
                             const char  *user_code,
                             TillRole     role,
                             GError     **error);
/* @badge NULL removes the user's badge. */
gboolean till_user_set_badge (TillStore   *store,
                              TillJournal *journal,
                              const char  *actor_code,
                              const char  *user_code,
                              const char  *badge,
                              GError     **error);
gboolean till_user_unlock (TillStore   *store,
                           TillJournal *journal,
                           const char  *actor_code,
                           const char  *user_code,
                           GError     **error);

/* Microseconds since the Unix epoch; g_get_real_time() unless a test set a
 * clock with till_user_set_clock_for_testing(). */
typedef gint64 (*TillUserClockFunc) (void);
void   till_user_set_clock_for_testing (TillStore *store, TillUserClockFunc now_func);
gint64 till_user_now (TillStore *store);

gint64      till_user_get_id (TillUser *self);
const char *till_user_get_code (TillUser *self);
const char *till_user_get_name (TillUser *self);
TillRole    till_user_get_role (TillUser *self);
const char *till_role_to_string (TillRole role);
const char *till_role_get_label (TillRole role);
gboolean    till_role_from_string (const char *text, TillRole *out_role);

#ifdef TILL_CORE_COMPILATION
/* Shared with till-permission.c: canonical JSON for journal bodies (keys in a
 * fixed order, no whitespace, only the escapes RFC 8259 requires). */
void      _till_json_append_string (GString *out, const char *text);
void      _till_json_append_key_string (GString *out, const char *key, const char *value);
void      _till_json_append_key_int (GString *out, const char *key, gint64 value);
gboolean  _till_user_journal_change (TillStore   *store,
                                     TillJournal *journal,
                                     const char  *action,
                                     const char  *actor_code,
                                     const char  *user_code,
                                     GString     *details,
                                     GError     **error);
TillUser *_till_user_authenticate (
    TillStore *store, const char *code, const char *secret, gboolean by_badge, GError **error);
gboolean _till_user_begin (TillStore *store, gboolean *out_began, GError **error);
gboolean _till_user_end (TillStore *store, gboolean began, gboolean ok, GError **error);
#endif

G_END_DECLS
