/* till-uuid.h: time-ordered identifiers (UUIDv7, RFC 9562)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

char    *till_uuid_v7_new (void) G_GNUC_WARN_UNUSED_RESULT;
char    *till_uuid_v7_new_at (gint64 unix_ms) G_GNUC_WARN_UNUSED_RESULT;
gboolean till_uuid_is_valid (const char *text);
gint64   till_uuid_v7_get_time (const char *uuid);

G_END_DECLS
