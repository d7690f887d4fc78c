/* till-admin-members.h: `opentill-admin members`, members' target lists for
 * marketing, a member's record, PIPL export and erasure, member coupons and
 * the daily loyalty upkeep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `opentill-admin members list KIND [ARG] [--csv FILE] [--webhook URL]`,
 * `members show|export|erase PHONE|CARD|ID` (export [--out FILE], erase
 * --yes), `members coupon PHONE|CARD|ID PROMOTION [--reason R]` and
 * `members daily`, each with --user CODE --pin PIN; @argv[0] is the
 * command's own name. Returns the process exit status (0 ok, 1 failed or
 * refused, 2 usage). */
int till_admin_members_run (int argc, char **argv);

G_END_DECLS
