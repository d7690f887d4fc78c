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
} TillUserError;

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

gint64      till_user_get_id (TillUser *self);
const char *till_user_get_code (TillUser *self);
const char *till_user_get_name (TillUser *self);
TillRole    till_user_get_role (TillUser *self);
const char *till_role_to_string (TillRole role);
const char *till_role_get_label (TillRole role);

G_END_DECLS
