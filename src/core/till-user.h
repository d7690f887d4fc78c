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
  /* The change would leave no active user who may manage users (the last
   * manager or admin deactivated or demoted, or the right taken from their role),
   * or a manager would deactivate themselves. */
  TILL_USER_ERROR_LAST_MANAGER,
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

/* One user as the manager's screen lists them (a snapshot; see till_user_list). */
typedef struct
{
  gint64   id;
  char    *code;
  char    *name;
  TillRole role;
  gboolean active;
  gboolean has_badge;
  int      failed_attempts; /* wrong PINs in a row, by the store's clock */
  gint64   locked_until_us; /* when the lockout ends; 0 when the user is not locked now */
  /* The limits that apply (the role's defaults where none are stored; -1 no
   * limit); own_limits says whether the user has limits of their own. */
  gboolean own_limits;
  int      max_line_discount_bp;
  gint64   max_price_override;
  gint64   max_refund;
} TillUserInfo;

void till_user_info_free (TillUserInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillUserInfo, till_user_info_free)

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
gint64 till_user_create_journaled (TillStore   *store,
                                   TillJournal *journal,
                                   const char  *actor_code,
                                   const char  *code,
                                   const char  *name,
                                   TillRole     role,
                                   const char  *pin,
                                   GError     **error);
/* Refuses with TILL_USER_ERROR_LAST_MANAGER to take the right to manage users
 * from the last active user who has it. */
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

/* For the manager's screen: every user, active or not, by code, with their
 * lockout and limits (element-type TillUserInfo). */
GPtrArray    *till_user_list (TillStore *store, GError **error);
TillUserInfo *till_user_get_info (TillStore *store, const char *code, GError **error);
/* The active user @code as stored, without signing in: for management calls
 * that take a #TillUser (till_user_set_limits). Not a sign-in. */
TillUser *till_user_lookup (TillStore *store, const char *code, GError **error);

/* Whether @actor_code is an active user whose role (as stored now) has
 * TILL_PERMISSION_MANAGE_USERS; FALSE with TILL_PERMISSION_ERROR_DENIED when
 * not. The calls below check this themselves; callers of the older calls above
 * use it first. */
gboolean till_user_check_may_manage (TillStore *store, const char *actor_code, GError **error);

/* Changes a manager makes on the users screen. Each checks that @actor_code
 * may manage users (till_user_check_may_manage), runs in the caller's
 * transaction or its own, and journals a "user-change" entry. */
/* Action "pin" (never the PIN). Clears wrong-PIN counts and any lockout: the
 * manager has just handed the user a new PIN. */
gboolean till_user_reset_pin (TillStore   *store,
                              TillJournal *journal,
                              const char  *actor_code,
                              const char  *user_code,
                              const char  *pin,
                              GError     **error);
/* Action "name", from and to. */
gboolean till_user_set_name (TillStore   *store,
                             TillJournal *journal,
                             const char  *actor_code,
                             const char  *user_code,
                             const char  *name,
                             GError     **error);
/* Action "deactivate" or "reactivate". An inactive user cannot sign in or act
 * (till_permission_check refuses them), and keeps their history. Refuses with
 * TILL_USER_ERROR_LAST_MANAGER to deactivate the last active user who may
 * manage users, or the actor themselves. */
gboolean till_user_set_active (TillStore   *store,
                               TillJournal *journal,
                               const char  *actor_code,
                               const char  *user_code,
                               gboolean     active,
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
gboolean _till_user_other_manager_exists (TillStore *store,
                                          gint64     except_id,
                                          int        changed_role,
                                          gboolean   changed_allowed,
                                          gboolean  *out_exists,
                                          GError   **error);
#endif

G_END_DECLS
