/* till-admin-hw.h: `opentill-admin hw`, hardware diagnostics for store IT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `opentill-admin hw list|status URI|test URI|drawer URI|scale URI|display URI
 * [TEXT…]`; @argv[0] is the command's own name. Returns the process exit status
 * (0 ok, 1 a device failed, did not answer or the printer is not ready, 2 usage
 * or a device URI to fix). */
int till_admin_hw_run (int argc, char **argv);

G_END_DECLS
