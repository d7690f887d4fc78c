/* till-chart-view.c: a report's chart on screen
 *
 * The chart draws itself with cairo (the same drawing as the PNG and PDF
 * exports), so the widget only hands it a cairo context of its size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include "till-chart-view.h"

struct _TillChartView
{
  GtkWidget parent_instance;

  TillChart *chart;
  guint      n_draws;
};

G_DEFINE_FINAL_TYPE (TillChartView, till_chart_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_CHART,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
till_chart_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TillChartView *self = TILL_CHART_VIEW (widget);
  int            width = gtk_widget_get_width (widget);
  int            height = gtk_widget_get_height (widget);
  cairo_t       *cr;

  if (self->chart == NULL || width <= 0 || height <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  till_chart_draw (self->chart, cr, width, height);
  cairo_destroy (cr);
  self->n_draws++;
}

static void
till_chart_view_measure (GtkWidget     *widget,
                         GtkOrientation orientation,
                         int            for_size,
                         int           *minimum,
                         int           *natural,
                         int           *minimum_baseline,
                         int           *natural_baseline)
{
  /* Axis labels and a legend need room: narrower than this, nothing reads. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 320;
      *natural = 640;
    }
  else
    {
      *minimum = TILL_CHART_VIEW_MIN_HEIGHT;
      *natural = TILL_CHART_VIEW_MIN_HEIGHT;
    }
}

static void
till_chart_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillChartView *self = TILL_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      g_value_set_object (value, self->chart);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_chart_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TillChartView *self = TILL_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      till_chart_view_set_chart (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_chart_view_dispose (GObject *object)
{
  TillChartView *self = TILL_CHART_VIEW (object);

  g_clear_object (&self->chart);
  G_OBJECT_CLASS (till_chart_view_parent_class)->dispose (object);
}

static void
till_chart_view_class_init (TillChartViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_chart_view_dispose;
  object_class->get_property = till_chart_view_get_property;
  object_class->set_property = till_chart_view_set_property;
  widget_class->snapshot = till_chart_view_snapshot;
  widget_class->measure = till_chart_view_measure;

  properties[PROP_CHART] =
      g_param_spec_object ("chart", NULL, NULL, TILL_TYPE_CHART,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chartview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
till_chart_view_init (TillChartView *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
till_chart_view_new (void)
{
  return g_object_new (TILL_TYPE_CHART_VIEW, NULL);
}

void
till_chart_view_set_chart (TillChartView *self, TillChart *chart)
{
  g_return_if_fail (TILL_IS_CHART_VIEW (self));
  g_return_if_fail (chart == NULL || TILL_IS_CHART (chart));

  if (!g_set_object (&self->chart, chart))
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  chart != NULL ? till_chart_get_title (chart) : "", -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHART]);
}

TillChart *
till_chart_view_get_chart (TillChartView *self)
{
  g_return_val_if_fail (TILL_IS_CHART_VIEW (self), NULL);

  return self->chart;
}

guint
till_chart_view_get_n_draws (TillChartView *self)
{
  g_return_val_if_fail (TILL_IS_CHART_VIEW (self), 0);

  return self->n_draws;
}
