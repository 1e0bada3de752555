import { HeatmapChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GraphicComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { init, registerMap, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * The parts of ECharts the 案件地图 draws with (geo with roam, points, heat, tiles as graphics),
 * registered once. Imported only with `import()` from that page, like `./echarts` for the charts.
 */
use([
  GeoComponent,
  GraphicComponent,
  HeatmapChart,
  ScatterChart,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { init, registerMap };
