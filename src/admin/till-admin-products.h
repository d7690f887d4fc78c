/* till-admin-products.h: `opentill-admin products`, the catalog listed,
 * exported to and imported from CSV or XLSX files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `opentill-admin products list [QUERY] [--all] [--limit N]`,
 * `products export FILE.csv|FILE.xlsx` and `products import FILE
 * [--dry-run] --user CODE --pin PIN` (each with [--db PATH]). An import
 * with bad rows prints each as "row N, column C: message", writes nothing
 * and exits 1. @argv[0] is the command's own name. Returns the process exit
 * status (0 ok, 1 failed, 2 usage). */
int till_admin_products_run (int argc, char **argv);

G_END_DECLS
