/* till-member-key.h: the key that protects members' personal data (PIPL)
 *
 * Phone numbers, names and birthdays are stored only encrypted (AES-256-GCM,
 * a fresh 12-byte nonce each time: nonce ‖ ciphertext ‖ 16-byte tag), and a
 * phone number is found again through a keyed hash (HMAC-SHA-256), never
 * through its plain text. The key lives outside the database: a file of 64
 * random bytes (32 for AES, 32 for the HMAC) readable only by the till's
 * user (0600), made on first use; a copied database alone reveals nothing.
 * HQ may provision the same file to every till of a chain, so that a member
 * registered at one store is found at another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define TILL_MEMBER_KEY_ERROR (till_member_key_error_quark ())

typedef enum
{
  TILL_MEMBER_KEY_ERROR_FAILED,
  TILL_MEMBER_KEY_ERROR_FILE,     /* the key file cannot be read or made, or has the wrong size */
  TILL_MEMBER_KEY_ERROR_TAMPERED, /* a sealed value does not open with this key (wrong key or
                                     altered bytes) */
} TillMemberKeyError;

GQuark till_member_key_error_quark (void);

#define TILL_TYPE_MEMBER_KEY (till_member_key_get_type ())
G_DECLARE_FINAL_TYPE (TillMemberKey, till_member_key, TILL, MEMBER_KEY, GObject)

/* Reads the key at @path, or makes it (0600, in one rename) when there is
 * none. A file of another size or mode wider than 0600 is refused with
 * TILL_MEMBER_KEY_ERROR_FILE naming the path. */
TillMemberKey *till_member_key_load_or_create (const char *path,
                                               GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* For tests: a key from 64 given bytes. */
TillMemberKey *till_member_key_new_from_bytes (const guint8 *bytes) G_GNUC_WARN_UNUSED_RESULT;

/* nonce ‖ ciphertext ‖ tag of @plain (UTF-8). */
GBytes *till_member_key_seal (TillMemberKey *self, const char *plain) G_GNUC_WARN_UNUSED_RESULT;
/* The plain text, or NULL with TILL_MEMBER_KEY_ERROR_TAMPERED. */
char *till_member_key_open (TillMemberKey *self,
                            GBytes        *sealed,
                            GError       **error) G_GNUC_WARN_UNUSED_RESULT;
/* HMAC-SHA-256 of @text (already normalized by the caller): 32 bytes. */
GBytes *till_member_key_lookup_hash (TillMemberKey *self,
                                     const char    *text) G_GNUC_WARN_UNUSED_RESULT;
/* A short HMAC tag (hex, 16 characters) for member QR codes. */
char *till_member_key_tag (TillMemberKey *self, const char *text) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
