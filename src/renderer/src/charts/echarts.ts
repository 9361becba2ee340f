// Only the ECharts parts Plateau uses: keeps the renderer bundle small.
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
// labelLayout (hideOverlap) of the scatter's run names needs this feature in a tree-shaken build
import { LabelLayout } from 'echarts/features';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  TitleComponent,
  ToolboxComponent,
  VisualMapComponent,
  CanvasRenderer,
  SVGRenderer,
  LabelLayout,
]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';
