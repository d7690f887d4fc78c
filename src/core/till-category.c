/* till-category.c: a node of the category tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-category"

#include "config.h"

#include "till-category.h"

struct _TillCategory
{
  GObject parent_instance;

  gint64 id;
  gint64 parent_id;
  char  *name;
};

G_DEFINE_FINAL_TYPE (TillCategory, till_category, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_PARENT_ID,
  PROP_NAME,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
till_category_finalize (GObject *object)
{
  TillCategory *self = (TillCategory *) object;

  g_free (self->name);

  G_OBJECT_CLASS (till_category_parent_class)->finalize (object);
}

static void
till_category_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillCategory *self = TILL_CATEGORY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_category_class_init (TillCategoryClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = till_category_finalize;
  object_class->get_property = till_category_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PARENT_ID] =
      g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_category_init (TillCategory *self)
{
}

/**
 * till_category_new:
 * @parent_id: the parent category, 0 for a top-level one
 *
 * Returns: (transfer full): a new immutable category
 */
TillCategory *
till_category_new (gint64 id, gint64 parent_id, const char *name)
{
  TillCategory *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (TILL_TYPE_CATEGORY, NULL);
  self->id = id;
  self->parent_id = parent_id;
  self->name = g_strdup (name);
  return self;
}

gint64
till_category_get_id (TillCategory *self)
{
  g_return_val_if_fail (TILL_IS_CATEGORY (self), 0);
  return self->id;
}

/* Returns: the parent's id, 0 for a top-level category */
gint64
till_category_get_parent_id (TillCategory *self)
{
  g_return_val_if_fail (TILL_IS_CATEGORY (self), 0);
  return self->parent_id;
}

const char *
till_category_get_name (TillCategory *self)
{
  g_return_val_if_fail (TILL_IS_CATEGORY (self), NULL);
  return self->name;
}
