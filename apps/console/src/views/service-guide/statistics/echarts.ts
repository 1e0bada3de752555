import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * The parts of ECharts the statistics page draws with, registered once. Imported only with
 * `import()` from that page, so none of it is in the console's initial JavaScript.
 */
use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

export { init };
