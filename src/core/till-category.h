/* till-category.h: a node of the category tree
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

#define TILL_TYPE_CATEGORY (till_category_get_type ())
G_DECLARE_FINAL_TYPE (TillCategory, till_category, TILL, CATEGORY, GObject)

TillCategory        *
till_category_new (gint64 id, gint64 parent_id, const char *name) G_GNUC_WARN_UNUSED_RESULT;
gint64 till_category_get_id (TillCategory *self);
gint64 till_category_get_parent_id (TillCategory *self);
const char *till_category_get_name (TillCategory *self);

G_END_DECLS
