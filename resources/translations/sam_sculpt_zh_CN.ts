<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AnchorItem</name>
    <message>
        <source>anchor {0} (chosen by the critic)</source>
        <translation>锚点 {0}（评审模型选中）</translation>
    </message>
    <message>
        <source>anchor {0}</source>
        <translation>锚点 {0}</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>SAM Sculpt: loading the segmenter {0}...</source>
        <translation>SAM Sculpt：正在加载分割模型 {0}……</translation>
    </message>
</context>
<context>
    <name>BackendCombo</name>
    <message>
        <source>{0} (baseline, no weights)</source>
        <translation>{0}（基线，无需权重）</translation>
    </message>
    <message>
        <source>{0} (evaluation only: needs the ground truth)</source>
        <translation>{0}（仅用于评估：需要真值掩码）</translation>
    </message>
    <message>
        <source>{0} (no weights: see File &gt; Models)</source>
        <translation>{0}（没有权重：见“文件 &gt; 模型”）</translation>
    </message>
    <message>
        <source>{0} (no API key: see File &gt; Models)</source>
        <translation>{0}（没有 API 密钥：见“文件 &gt; 模型”）</translation>
    </message>
    <message>
        <source>{0} (not installed: {1})</source>
        <translation>{0}（未安装：{1}）</translation>
    </message>
    <message>
        <source>No weights found for {0}: File &gt; Models downloads them (or lists where they are looked for); until then the window cannot use it.</source>
        <translation>没有找到 {0} 的权重：用“文件 &gt; 模型”下载（或查看在哪些位置查找）；在此之前窗口无法使用它。</translation>
    </message>
    <message>
        <source>{0} needs an API key in the environment or the system keyring (File &gt; Models says which).</source>
        <translation>{0} 需要环境变量或系统密钥环中的 API 密钥（“文件 &gt; 模型”会说明是哪一个）。</translation>
    </message>
    <message>
        <source>{0} is not installed: {1}</source>
        <translation>{0} 未安装：{1}</translation>
    </message>
    <message>
        <source>A classical baseline, not a model: it needs no weights and always runs.</source>
        <translation>经典基线方法，不是模型：无需权重，总能运行。</translation>
    </message>
    <message>
        <source>Answers from the ground-truth mask (the dataset&apos;s gt folder): for evaluation, not for annotating new images.</source>
        <translation>根据真值掩码（数据集的 gt 文件夹）作答：用于评估，不用于标注新图像。</translation>
    </message>
    <message>
        <source>Weights found: {0}</source>
        <translation>已找到权重：{0}</translation>
    </message>
</context>
<context>
    <name>CriticWords</name>
    <message>
        <source>leak {0}, miss {1}</source>
        <translation>泄漏 {0}，遗漏 {1}</translation>
    </message>
    <message>
        <source>region 1 looks like background ({0})</source>
        <translation>区域 1 像背景（{0}）</translation>
    </message>
    <message>
        <source>region 2 looks like the object ({0})</source>
        <translation>区域 2 像目标（{0}）</translation>
    </message>
    <message>
        <source>leaked background ({0} px)</source>
        <translation>泄漏到背景（{0} 像素）</translation>
    </message>
    <message>
        <source>missed object ({0} px)</source>
        <translation>漏掉的目标（{0} 像素）</translation>
    </message>
    <message>
        <source>the round changed only {0} px</source>
        <translation>该轮只改变了 {0} 个像素</translation>
    </message>
    <message>
        <source>{0} of the {1} changed px agree with the colour/texture model, {2} contradict it</source>
        <translation>在改变的 {1} 个像素中，{0} 与颜色/纹理模型一致，{2} 与之矛盾</translation>
    </message>
    <message>
        <source>colour statistics cannot confirm this change on a camouflaged object (policy conservative; </source>
        <translation>颜色统计无法确认伪装目标上的这一改变（保守策略；</translation>
    </message>
    <message>
        <source>no clear evidence where a point would go</source>
        <translation>没有明确证据表明点应放在哪里</translation>
    </message>
    <message>
        <source>no clear evidence that the change helped (policy strict): </source>
        <translation>没有明确证据表明这次修改有帮助（策略 strict）：</translation>
    </message>
    <message>
        <source>no clear evidence: </source>
        <translation>没有明确证据：</translation>
    </message>
</context>
<context>
    <name>EditGestures</name>
    <message>
        <source>draw a box for the new object</source>
        <translation>请为新对象画一个框</translation>
    </message>
    <message>
        <source>new object: press 1 (Points) to refine it with clicks; in ROI mode a click selects an object</source>
        <translation>已新建对象：按 1（点模式）用点击细化它；在 ROI 模式下单击是选择对象</translation>
    </message>
    <message>
        <source>draw an ROI first: the brush edits an existing mask</source>
        <translation>请先画 ROI 框：画笔只能编辑已有的掩码</translation>
    </message>
</context>
<context>
    <name>EditHandlers</name>
    <message>
        <source>open an image first</source>
        <translation>请先打开一张图像</translation>
    </message>
    <message>
        <source>localising &apos;{0}&apos;</source>
        <translation>正在定位“{0}”</translation>
    </message>
    <message>
        <source>mask from &apos;{0}&apos;</source>
        <translation>由“{0}”得到的掩码</translation>
    </message>
    <message>
        <source>make a mask first (ROI, Localise or the brush): inpainting repaints the mask</source>
        <translation>请先生成掩码（ROI 框、定位或画笔）：修复重绘的是掩码区域</translation>
    </message>
    <message>
        <source>the default inpainter</source>
        <translation>默认修复模型</translation>
    </message>
    <message>
        <source>inpainting with {0}</source>
        <translation>正在用 {0} 修复</translation>
    </message>
    <message>
        <source>edit saved to {0}</source>
        <translation>编辑结果已保存到 {0}</translation>
    </message>
    <message>
        <source>saved to {0}</source>
        <translation>已保存到 {0}</translation>
    </message>
    <message>
        <source>discarded</source>
        <translation>已丢弃</translation>
    </message>
</context>
<context>
    <name>EditPanel</name>
    <message>
        <source>what to find, e.g. crab (empty: the prompt)</source>
        <translation>要找的目标，例如 crab（留空：使用提示词）</translation>
    </message>
    <message>
        <source>what it should become, e.g. a red crab</source>
        <translation>要变成什么，例如 a red crab</translation>
    </message>
    <message>
        <source>optional: what it should not look like</source>
        <translation>可选：不希望出现的样子</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Negative</source>
        <translation>反向提示词</translation>
    </message>
    <message>
        <source>Inpainter</source>
        <translation>修复模型</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>引导系数</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Localise</source>
        <translation>定位</translation>
    </message>
    <message>
        <source>CLIP finds the target; its point prompts the segmenter</source>
        <translation>CLIP 找到目标，其位置点作为分割模型的提示</translation>
    </message>
    <message>
        <source>Inpaint</source>
        <translation>修复</translation>
    </message>
    <message>
        <source>repaint the current mask from the prompt</source>
        <translation>按提示词重绘当前掩码区域</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>采纳</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>original</source>
        <translation>原图</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>编辑后</translation>
    </message>
    <message>
        <source>CLIP point ({0:.0f}, {1:.0f})</source>
        <translation>CLIP 点 ({0:.0f}, {1:.0f})</translation>
    </message>
    <message>
        <source>error: {0}</source>
        <translation>错误：{0}</translation>
    </message>
</context>
<context>
    <name>EngineWorker</name>
    <message>
        <source>unknown command {0}</source>
        <translation>未知命令 {0}</translation>
    </message>
    <message>
        <source>{0}: cancelled</source>
        <translation>{0}：已取消</translation>
    </message>
    <message>
        <source>{0} failed: {1}</source>
        <translation>{0} 失败：{1}</translation>
    </message>
    <message>
        <source>{0} took {1:.2f}s</source>
        <translation>{0} 用时 {1:.2f} 秒</translation>
    </message>
    <message>
        <source>{0} cannot be used ({1}); still using {2}</source>
        <translation>无法使用 {0}（{1}）；继续使用 {2}</translation>
    </message>
    <message>
        <source>settings applied: segmenter {0}, critic {1}</source>
        <translation>设置已应用：分割模型 {0}，评审模型 {1}</translation>
    </message>
    <message>
        <source>loading segmenter {0}</source>
        <translation>正在加载分割模型 {0}</translation>
    </message>
    <message>
        <source>{0} cannot be used ({1}); using the baseline {2} until it can (File &gt; Models)</source>
        <translation>无法使用 {0}（{1}）；在它能用之前使用基线 {2}（见“文件 &gt; 模型”）</translation>
    </message>
    <message>
        <source>critic unavailable: {0}</source>
        <translation>评审模型不可用：{0}</translation>
    </message>
    <message>
        <source>loading {0}</source>
        <translation>正在加载 {0}</translation>
    </message>
    <message>
        <source>{0}: prefetched ({1})</source>
        <translation>{0}：已预取（{1}）</translation>
    </message>
    <message>
        <source>image only</source>
        <translation>仅图像</translation>
    </message>
    <message>
        <source>{0}: resumed the autosaved work</source>
        <translation>{0}：已恢复自动保存的工作</translation>
    </message>
    <message>
        <source>autosave of {0} not usable: {1}</source>
        <translation>{0} 的自动保存不可用：{1}</translation>
    </message>
    <message>
        <source>segmenting (embedding on first use)</source>
        <translation>正在分割（首次使用时计算图像嵌入）</translation>
    </message>
    <message>
        <source>prefetch of {0} not started: {1}</source>
        <translation>未能开始预取 {0}：{1}</translation>
    </message>
    <message>
        <source>nothing to save yet</source>
        <translation>还没有可保存的内容</translation>
    </message>
    <message>
        <source>saving</source>
        <translation>正在保存</translation>
    </message>
    <message>
        <source>saved {0} to {1}</source>
        <translation>已将 {0} 保存到 {1}</translation>
    </message>
    <message>
        <source>discarded the autosave of {0}</source>
        <translation>已丢弃 {0} 的自动保存</translation>
    </message>
    <message>
        <source>slow job</source>
        <translation>慢任务</translation>
    </message>
    <message>
        <source>preparing the segmenter</source>
        <translation>正在准备分割模型</translation>
    </message>
    <message>
        <source>autosave failed: {0}</source>
        <translation>自动保存失败：{0}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>NAME.png: one 0/255 mask per image (all objects together)</source>
        <translation>NAME.png：每张图像一个 0/255 掩码（所有对象合并）</translation>
    </message>
    <message>
        <source>NAME.png with instance ids + objects.json (id -&gt; label, box)</source>
        <translation>NAME.png 实例编号 + objects.json（编号 -&gt; 类别、框）</translation>
    </message>
    <message>
        <source>COCO annotations.json, one RLE mask per object (exact)</source>
        <translation>COCO annotations.json，每个对象一个 RLE 掩码（精确）</translation>
    </message>
    <message>
        <source>COCO annotations.json with polygons</source>
        <translation>COCO annotations.json，多边形</translation>
    </message>
    <message>
        <source>LabelMe NAME.json, polygon shapes (editable in labelme / X-AnyLabeling)</source>
        <translation>LabelMe NAME.json，多边形（可在 labelme / X-AnyLabeling 中编辑）</translation>
    </message>
    <message>
        <source>LabelMe NAME.json, one exact mask shape per object</source>
        <translation>LabelMe NAME.json，每个对象一个精确的掩码形状</translation>
    </message>
    <message>
        <source>Ultralytics YOLO segmentation: images/, labels/, classes.txt, data.yaml</source>
        <translation>Ultralytics YOLO 分割：images/、labels/、classes.txt、data.yaml</translation>
    </message>
    <message>
        <source>Pascal VOC: SegmentationClass/, SegmentationObject/, labelmap.txt</source>
        <translation>Pascal VOC：SegmentationClass/、SegmentationObject/、labelmap.txt</translation>
    </message>
    <message>
        <source>COD10K layout: Imgs/, GT/ (0/255), Instance/</source>
        <translation>COD10K 布局：Imgs/、GT/（0/255）、Instance/</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Browse</source>
        <translation>浏览</translation>
    </message>
    <message>
        <source>polygon simplification tolerance (0: the exact outline)</source>
        <translation>多边形简化容差（0：精确轮廓）</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Outputs folder (saved images)</source>
        <translation>输出文件夹（已保存的图像）</translation>
    </message>
    <message>
        <source>Simplify polygons</source>
        <translation>简化多边形</translation>
    </message>
    <message>
        <source>Exports every image saved in the outputs folder; the files go to &lt;outputs&gt;/export-&lt;format&gt;.</source>
        <translation>导出输出文件夹中所有已保存的图像；文件写入 &lt;输出&gt;/export-&lt;格式&gt;。</translation>
    </message>
    <message>
        <source>Save &apos;{0}&apos; first (its work is not saved yet)</source>
        <translation>先保存“{0}”（它的工作尚未保存）</translation>
    </message>
    <message>
        <source>Nothing is saved in this folder yet: Save (Ctrl+S) writes the open image there; Export converts the saved images.</source>
        <translation>这个文件夹里还没有保存任何图像：“保存”（Ctrl+S）把当前图像写到这里；“导出”转换已保存的图像。</translation>
    </message>
    <message>
        <source>{0} image(s) will be exported.</source>
        <translation>将导出 {0} 张图像。</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is saved first.</source>
        <translation>先保存“{0}”。</translation>
    </message>
    <message>
        <source>{0} other image(s) in progress have unsaved work: it is not in the export (open each and Save).</source>
        <translation>另有 {0} 张进行中的图像有未保存的工作：它们不在导出中（逐张打开并保存）。</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
</context>
<context>
    <name>ExportJob</name>
    <message>
        <source>nothing to export: no image is saved in {0} yet (File &gt; Save, Ctrl+S, writes the open image there; Export converts the saved images)</source>
        <translation>没有可导出的内容：{0} 中还没有保存任何图像（“文件 &gt; 保存”，Ctrl+S，把当前图像写到那里；“导出”转换已保存的图像）</translation>
    </message>
    <message>
        <source>exporting</source>
        <translation>正在导出</translation>
    </message>
    <message>
        <source>exporting {0} ({1}/{2})</source>
        <translation>正在导出 {0}（{1}/{2}）</translation>
    </message>
    <message>
        <source>export cancelled: {0}</source>
        <translation>导出已取消：{0}</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>Keyboard and mouse</source>
        <translation>键盘与鼠标</translation>
    </message>
    <message>
        <source>Key / gesture</source>
        <translation>按键 / 手势</translation>
    </message>
    <message>
        <source>Does</source>
        <translation>作用</translation>
    </message>
</context>
<context>
    <name>ImageListPanel</name>
    <message>
        <source>new</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>flagged</source>
        <translation>已标记</translation>
    </message>
    <message>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <source>no images in {0}: open a folder of {1} files, or one with an images/ (aux) or Imgs/ (COD) folder</source>
        <translation>{0} 中没有图像：请打开包含 {1} 文件的文件夹，或带有 images/（aux）或 Imgs/（COD）子文件夹的文件夹</translation>
    </message>
    <message>
        <source>filter by name</source>
        <translation>按名称筛选</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>{0} of {1} done, {2} in progress, {3} flagged</source>
        <translation>已完成 {0}/{1}，进行中 {2}，已标记 {3}</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>working... {0} s</source>
        <translation>处理中... {0} 秒</translation>
    </message>
</context>
<context>
    <name>LogWords</name>
    <message>
        <source>open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>new object</source>
        <translation>新建对象</translation>
    </message>
    <message>
        <source>add point</source>
        <translation>加点</translation>
    </message>
    <message>
        <source>move point</source>
        <translation>移动点</translation>
    </message>
    <message>
        <source>remove points</source>
        <translation>删除点</translation>
    </message>
    <message>
        <source>ROI</source>
        <translation>ROI 框</translation>
    </message>
    <message>
        <source>brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>propose</source>
        <translation>提议</translation>
    </message>
    <message>
        <source>apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>accept/reject</source>
        <translation>采纳/拒绝</translation>
    </message>
    <message>
        <source>save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>undo/redo</source>
        <translation>撤销/重做</translation>
    </message>
    <message>
        <source>settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>nothing proposed in round {0}</source>
        <translation>第 {0} 轮没有提议点</translation>
    </message>
    <message>
        <source>converged in round {0} (IoU {1})</source>
        <translation>第 {0} 轮已收敛（交并比 {1}）</translation>
    </message>
    <message>
        <source>round {0} proposed what a reverted round did: stopped</source>
        <translation>第 {0} 轮提议了被撤回的那一轮的点：已停止</translation>
    </message>
    <message>
        <source>rounds done</source>
        <translation>各轮已完成</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Navigate</source>
        <translation>浏览(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>点</translation>
    </message>
    <message>
        <source>New object</source>
        <translation>新建对象</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>PySide6 void calls leak references to None on this Python: work-around active</source>
        <translation>此 Python 上 PySide6 的 void 调用会泄漏 None 的引用：已启用规避措施</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>working...</source>
        <translation>处理中……</translation>
    </message>
    <message>
        <source>opened {0} ({1} images)</source>
        <translation>已打开 {0}（{1} 张图像）</translation>
    </message>
    <message>
        <source>skipped {0}: {1}</source>
        <translation>已跳过 {0}：{1}</translation>
    </message>
    <message>
        <source>saved to {0}</source>
        <translation>已保存到 {0}</translation>
    </message>
    <message>
        <source>exported ({0}) to {1}</source>
        <translation>已导出（{0}）到 {1}</translation>
    </message>
    <message>
        <source>Open a dataset folder</source>
        <translation>打开数据集文件夹</translation>
    </message>
    <message>
        <source>points</source>
        <translation>点</translation>
    </message>
    <message>
        <source>ROI</source>
        <translation>ROI 框</translation>
    </message>
    <message>
        <source>brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>mode: {0}</source>
        <translation>模式：{0}</translation>
    </message>
    <message>
        <source>(size {0}px)</source>
        <translation>（大小 {0} 像素）</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>系列</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Needs</source>
        <translation>需要</translation>
    </message>
    <message>
        <source>Package</source>
        <translation>软件包</translation>
    </message>
    <message>
        <source>Found</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Hugging Face (HF_ENDPOINT)</source>
        <translation>Hugging Face（HF_ENDPOINT）</translation>
    </message>
    <message>
        <source>ModelScope</source>
        <translation>ModelScope（魔搭）</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <source>missing: {0}</source>
        <translation>缺少：{0}</translation>
    </message>
    <message>
        <source>(baseline)</source>
        <translation>（基线）</translation>
    </message>
    <message>
        <source>(evaluation only)</source>
        <translation>（仅用于评估）</translation>
    </message>
    <message>
        <source>segmenter</source>
        <translation>分割模型</translation>
    </message>
    <message>
        <source>critic</source>
        <translation>评审模型</translation>
    </message>
    <message>
        <source>localiser</source>
        <translation>定位模型</translation>
    </message>
    <message>
        <source>inpainter</source>
        <translation>修复模型</translation>
    </message>
    <message>
        <source>an API key ({0} or the OS keyring)</source>
        <translation>API 密钥（{0} 或系统密钥环）</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>nothing (no weights)</source>
        <translation>无（不需要权重）</translation>
    </message>
    <message>
        <source>key {0}</source>
        <translation>密钥 {0}</translation>
    </message>
    <message>
        <source>Looked in:</source>
        <translation>查找过的位置：</translation>
    </message>
    <message>
        <source>key set in {0}</source>
        <translation>密钥已在 {0} 中设置</translation>
    </message>
    <message>
        <source>key not in {0} (the OS keyring is not checked here)</source>
        <translation>{0} 中没有密钥（这里不检查系统密钥环）</translation>
    </message>
    <message>
        <source>found</source>
        <translation>已找到</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>needs a key</source>
        <translation>需要密钥</translation>
    </message>
    <message>
        <source>package missing</source>
        <translation>缺少软件包</translation>
    </message>
    <message>
        <source>Downloading {0} to {1}</source>
        <translation>正在下载 {0} 到 {1}</translation>
    </message>
    <message>
        <source>Cancelling...</source>
        <translation>正在取消……</translation>
    </message>
    <message>
        <source>Downloaded to {0}</source>
        <translation>已下载到 {0}</translation>
    </message>
    <message>
        <source>Settings &gt; Segmenter</source>
        <translation>设置 &gt; 分割模型</translation>
    </message>
    <message>
        <source>Settings &gt; Critic</source>
        <translation>设置 &gt; 评审模型</translation>
    </message>
    <message>
        <source>To use it, choose {0} in {1}.</source>
        <translation>要使用它，请在“{1}”中选择 {0}。</translation>
    </message>
    <message>
        <source>Download failed: {0}</source>
        <translation>下载失败：{0}</translation>
    </message>
    <message>
        <source>Cancelled: partial files are kept, Download again resumes.</source>
        <translation>已取消：已下载的部分文件会保留，再次下载时继续。</translation>
    </message>
</context>
<context>
    <name>ObjectHandlers</name>
    <message>
        <source>draw an ROI box first</source>
        <translation>请先画一个 ROI 框</translation>
    </message>
    <message>
        <source>add object</source>
        <translation>添加对象</translation>
    </message>
    <message>
        <source>segmenting (embedding on first use)</source>
        <translation>正在分割（首次使用时计算图像嵌入）</translation>
    </message>
    <message>
        <source>delete object</source>
        <translation>删除对象</translation>
    </message>
    <message>
        <source>relabel object</source>
        <translation>修改对象类别</translation>
    </message>
    <message>
        <source>show object</source>
        <translation>显示对象</translation>
    </message>
    <message>
        <source>hide object</source>
        <translation>隐藏对象</translation>
    </message>
    <message>
        <source>lock object</source>
        <translation>锁定对象</translation>
    </message>
    <message>
        <source>unlock object</source>
        <translation>解锁对象</translation>
    </message>
    <message>
        <source>reorder objects</source>
        <translation>调整对象层次</translation>
    </message>
    <message>
        <source>ROI box</source>
        <translation>ROI 框</translation>
    </message>
    <message>
        <source>segmenting</source>
        <translation>正在分割</translation>
    </message>
    <message>
        <source>re-run from the box</source>
        <translation>从框重新分割</translation>
    </message>
    <message>
        <source>run segmenter</source>
        <translation>运行分割模型</translation>
    </message>
    <message>
        <source>add point</source>
        <translation>添加点</translation>
    </message>
    <message>
        <source>move point</source>
        <translation>移动点</translation>
    </message>
    <message>
        <source>flip point</source>
        <translation>翻转点</translation>
    </message>
    <message>
        <source>delete point</source>
        <translation>删除点</translation>
    </message>
    <message>
        <source>delete {0} points</source>
        <translation>删除 {0} 个点</translation>
    </message>
    <message>
        <source>accept proposal</source>
        <translation>采纳提议</translation>
    </message>
    <message>
        <source>accept {0} proposals</source>
        <translation>采纳 {0} 个提议</translation>
    </message>
    <message>
        <source>reject proposal</source>
        <translation>拒绝提议</translation>
    </message>
    <message>
        <source>reject {0} proposals</source>
        <translation>拒绝 {0} 个提议</translation>
    </message>
    <message>
        <source>draw an ROI first: the brush edits an existing mask</source>
        <translation>请先画 ROI 框：画笔只能编辑已有的掩码</translation>
    </message>
    <message>
        <source>eraser stroke</source>
        <translation>橡皮擦笔画</translation>
    </message>
    <message>
        <source>brush stroke</source>
        <translation>画笔笔画</translation>
    </message>
    <message>
        <source>propose round {0}</source>
        <translation>第 {0} 轮提议</translation>
    </message>
    <message>
        <source>critic round</source>
        <translation>评审轮次</translation>
    </message>
    <message>
        <source>round {0}: {1} proposals (anchors {2})</source>
        <translation>第 {0} 轮：{1} 个提议点（锚点 {2}）</translation>
    </message>
    <message>
        <source>round {0}: the critic proposed nothing: {1}</source>
        <translation>第 {0} 轮：评审模型没有提议：{1}</translation>
    </message>
    <message>
        <source>the critic failed: {0}</source>
        <translation>评审模型出错：{0}</translation>
    </message>
    <message>
        <source>no anchor where the boundary looks wrong (no region with clear evidence)</source>
        <translation>没有边界明显有误的锚点（没有证据充分的区域）</translation>
    </message>
    <message>
        <source>no region with clear evidence; the critic said: {0}</source>
        <translation>没有证据充分的区域；评审模型的回答：{0}</translation>
    </message>
    <message>
        <source>no region with clear evidence</source>
        <translation>没有证据充分的区域</translation>
    </message>
    <message>
        <source>propose first</source>
        <translation>请先提议</translation>
    </message>
    <message>
        <source>apply round {0}</source>
        <translation>应用第 {0} 轮</translation>
    </message>
    <message>
        <source>refining</source>
        <translation>正在细化</translation>
    </message>
    <message>
        <source>round {0} applied: IoU with previous {1:.4f}</source>
        <translation>第 {0} 轮已应用：与上一掩码的交并比 {1:.4f}</translation>
    </message>
    <message>
        <source>round {0} kept</source>
        <translation>已保留第 {0} 轮</translation>
    </message>
    <message>
        <source>revert round {0}</source>
        <translation>撤回第 {0} 轮</translation>
    </message>
    <message>
        <source>round {0} reverted: the next round starts from the mask before it</source>
        <translation>第 {0} 轮已撤回：下一轮从该轮之前的掩码开始</translation>
    </message>
    <message>
        <source>auto round {0}/{1}</source>
        <translation>自动：第 {0}/{1} 轮</translation>
    </message>
    <message>
        <source>auto: round {0} made the mask worse ({1}): reverted</source>
        <translation>自动：第 {0} 轮让掩码变差（{1}）：已撤回</translation>
    </message>
    <message>
        <source>auto round {0}: {1} points, IoU {2:.4f}</source>
        <translation>自动第 {0} 轮：{1} 个点，交并比 {2:.4f}</translation>
    </message>
    <message>
        <source>auto: {0}</source>
        <translation>自动：{0}</translation>
    </message>
    <message>
        <source>auto: cancelled after round {0}</source>
        <translation>自动：在第 {0} 轮后取消</translation>
    </message>
    <message>
        <source>auto ({0} rounds)</source>
        <translation>自动（{0} 轮）</translation>
    </message>
</context>
<context>
    <name>ObjectsPanel</name>
    <message>
        <source>label</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>visible</source>
        <translation>可见</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>area</source>
        <translation>面积</translation>
    </message>
    <message>
        <source>the selected object&apos;s class (from labels.txt; type to search or add)</source>
        <translation>选中对象的类别（来自 labels.txt；可输入搜索或新增）</translation>
    </message>
    <message>
        <source>New (B)</source>
        <translation>新建（B）</translation>
    </message>
    <message>
        <source>draw a box for a new object</source>
        <translation>为新对象画框</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>draw above the next object (wins the overlap)</source>
        <translation>置于下一个对象之上（重叠处归它）</translation>
    </message>
    <message>
        <source>draw below the next object</source>
        <translation>置于下一个对象之下</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>object {0}: {1}</source>
        <translation>对象 {0}：{1}</translation>
    </message>
    <message>
        <source>brush/eraser edits are kept through the next clicks (Run from box forgets them)</source>
        <translation>画笔/橡皮擦的修改会在之后的点击中保留（“从框重新分割”会丢弃它们）</translation>
    </message>
</context>
<context>
    <name>OracleGtHandlers</name>
    <message>
        <source>oracle: per-object GT from {0}</source>
        <translation>oracle：按对象使用 GT，来自 {0}</translation>
    </message>
    <message>
        <source>oracle: {0} cannot be used ({1}); judging against the union GT</source>
        <translation>oracle：{0} 无法使用（{1}）；改用合并 GT 判断</translation>
    </message>
    <message>
        <source>oracle: union GT (no instance map {0}.png in {1})</source>
        <translation>oracle：使用合并 GT（{1} 中没有实例图 {0}.png）</translation>
    </message>
    <message>
        <source>oracle: union GT</source>
        <translation>oracle：使用合并 GT</translation>
    </message>
</context>
<context>
    <name>PointItem</name>
    <message>
        <source>pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已采纳</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>positive point (critic, {0}, confidence {1:.2f})</source>
        <translation>正点（评审模型，{0}，置信度 {1:.2f}）</translation>
    </message>
    <message>
        <source>negative point (critic, {0}, confidence {1:.2f})</source>
        <translation>负点（评审模型，{0}，置信度 {1:.2f}）</translation>
    </message>
    <message>
        <source>positive point (annotator, {0})</source>
        <translation>正点（标注者，{0}）</translation>
    </message>
    <message>
        <source>negative point (annotator, {0})</source>
        <translation>负点（标注者，{0}）</translation>
    </message>
    <message>
        <source>moved by the annotator</source>
        <translation>已被标注者移动</translation>
    </message>
    <message>
        <source>flipped by the annotator</source>
        <translation>已被标注者翻转</translation>
    </message>
</context>
<context>
    <name>RoiHandle</name>
    <message>
        <source>drag to move the ROI</source>
        <translation>拖动以移动 ROI 框</translation>
    </message>
    <message>
        <source>drag to resize the ROI</source>
        <translation>拖动以调整 ROI 框大小</translation>
    </message>
</context>
<context>
    <name>RoiItem</name>
    <message>
        <source>ROI box</source>
        <translation>ROI 框</translation>
    </message>
</context>
<context>
    <name>SessionPanel</name>
    <message>
        <source>no large models loaded</source>
        <translation>未加载大模型</translation>
    </message>
    <message>
        <source>what the object is</source>
        <translation>目标是什么</translation>
    </message>
    <message>
        <source>Segmenter</source>
        <translation>分割模型</translation>
    </message>
    <message>
        <source>Critic</source>
        <translation>评审模型</translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation>已加载</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>实例</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>segment from the ROI and the accepted points (R)</source>
        <translation>根据 ROI 框和已采纳的点分割（R）</translation>
    </message>
    <message>
        <source>Propose</source>
        <translation>提议</translation>
    </message>
    <message>
        <source>one critic round; proposals are shown, not applied (P)</source>
        <translation>进行一轮评审；只显示提议点，不应用（P）</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>refine with the accepted proposals; pending ones are rejected (Return)</source>
        <translation>用已采纳的提议点细化；待定的视为拒绝（回车）</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>N rounds, every proposal accepted, as the CLI does (Shift+A)</source>
        <translation>自动进行 N 轮，采纳全部提议点，与命令行相同（Shift+A）</translation>
    </message>
    <message>
        <source>point</source>
        <translation>点</translation>
    </message>
    <message>
        <source>confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>proposals less confident than this are hidden or rejected</source>
        <translation>置信度低于此值的提议点会被隐藏或拒绝</translation>
    </message>
    <message>
        <source>hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>auto-reject</source>
        <translation>自动拒绝</translation>
    </message>
    <message>
        <source>Accept all</source>
        <translation>全部采纳</translation>
    </message>
    <message>
        <source>Reject all</source>
        <translation>全部拒绝</translation>
    </message>
    <message>
        <source>Min. confidence</source>
        <translation>最低置信度</translation>
    </message>
    <message>
        <source>Proposals</source>
        <translation>提议点</translation>
    </message>
    <message>
        <source>Verdict on the last round</source>
        <translation>上一轮的评判</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>proposals</source>
        <translation>提议数</translation>
    </message>
    <message>
        <source>applied</source>
        <translation>已应用</translation>
    </message>
    <message>
        <source>IoU change</source>
        <translation>交并比变化</translation>
    </message>
    <message>
        <source>Rounds</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>(baseline, no weights)</source>
        <translation>（基线，无需权重）</translation>
    </message>
    <message>
        <source>(evaluation only)</source>
        <translation>（仅用于评估）</translation>
    </message>
    <message>
        <source>clicks: ONNX Runtime</source>
        <translation>点选解码器：ONNX Runtime</translation>
    </message>
    <message>
        <source>clicks: torch</source>
        <translation>点选解码器：torch</translation>
    </message>
    <message>
        <source>{0:.0f} MB</source>
        <translation>{0:.0f} MB</translation>
    </message>
    <message>
        <source>To start: drag a box around the object on the image (a drag on empty space draws the ROI; B starts another object), then Run, Propose or Auto.</source>
        <translation>开始：在图像上围绕目标拖出一个框（在空白处拖动即画 ROI 框；B 新建另一个对象），然后点“运行”、“提议”或“自动”。</translation>
    </message>
    <message>
        <source>moved</source>
        <translation>已移动</translation>
    </message>
    <message>
        <source>flipped</source>
        <translation>已翻转</translation>
    </message>
    <message>
        <source>Round {0}: the critic proposed nothing. {1}</source>
        <translation>第 {0} 轮：评审模型没有提议。{1}</translation>
    </message>
    <message>
        <source>(Settings &gt; Critic &gt; heuristic min. evidence: lower it for more proposals)</source>
        <translation>（设置 &gt; 评审模型 &gt; heuristic 最低证据：调低可得到更多提议点）</translation>
    </message>
    <message>
        <source>{0} proposal(s) below the confidence threshold are hidden</source>
        <translation>{0} 个低于置信度阈值的提议点已隐藏</translation>
    </message>
    <message>
        <source>{0:.4f} ({1:.2f}% changed)</source>
        <translation>{0:.4f}（变化 {1:.2f}%）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>reverted</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>better</source>
        <translation>更好</translation>
    </message>
    <message>
        <source>worse</source>
        <translation>更差</translation>
    </message>
    <message>
        <source>about the same</source>
        <translation>差不多</translation>
    </message>
    <message>
        <source>Round {0} made the mask {1} ({2}, confidence {3:.2f}).</source>
        <translation>第 {0} 轮让掩码{1}（{2}，置信度 {3:.2f}）。</translation>
    </message>
    <message>
        <source>Reverted: the mask before the round is back.</source>
        <translation>已撤回：恢复为该轮之前的掩码。</translation>
    </message>
    <message>
        <source>Kept.</source>
        <translation>已保留。</translation>
    </message>
    <message>
        <source>Suggestion: keep it (V keeps, or click Revert).</source>
        <translation>建议：保留（按 V 保留，或点击“撤回”）。</translation>
    </message>
    <message>
        <source>Suggestion: revert it (V reverts, or click Keep).</source>
        <translation>建议：撤回（按 V 撤回，或点击“保留”）。</translation>
    </message>
    <message>
        <source>accept (Y)</source>
        <translation>采纳（Y）</translation>
    </message>
    <message>
        <source>reject (N)</source>
        <translation>拒绝（N）</translation>
    </message>
    <message>
        <source>flip (F)</source>
        <translation>翻转（F）</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>found in the environment</source>
        <translation>已在环境变量中找到</translation>
    </message>
    <message>
        <source>found in the keyring</source>
        <translation>已在系统密钥环中找到</translation>
    </message>
    <message>
        <source>not set ({0} or the keyring)</source>
        <translation>未设置（{0} 或系统密钥环）</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Segmenter</source>
        <translation>分割模型</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <source>sam checkpoint</source>
        <translation>sam 权重文件</translation>
    </message>
    <message>
        <source>sam-hf folder</source>
        <translation>sam-hf 模型文件夹</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Critic</source>
        <translation>评审模型</translation>
    </message>
    <message>
        <source>The heuristic baseline proposes a point only where its evidence reaches this: lower it (e.g. 0.05) when Propose / Auto find nothing.</source>
        <translation>heuristic 基线只在证据达到该值处提议点：若“提议”/“自动”什么也没找到，可调低（如 0.05）。</translation>
    </message>
    <message>
        <source>API keys are read from the environment or the system keyring and never stored here.</source>
        <translation>API 密钥从环境变量或系统密钥环读取，从不保存在这里。</translation>
    </message>
    <message>
        <source>heuristic min. evidence</source>
        <translation>heuristic 最低证据</translation>
    </message>
    <message>
        <source>qwen model folder</source>
        <translation>qwen 模型文件夹</translation>
    </message>
    <message>
        <source>dashscope model</source>
        <translation>dashscope 模型</translation>
    </message>
    <message>
        <source>openai base URL</source>
        <translation>openai 接口地址</translation>
    </message>
    <message>
        <source>openai model</source>
        <translation>openai 模型</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>anchors</source>
        <translation>锚点</translation>
    </message>
    <message>
        <source>direct</source>
        <translation>直接给点</translation>
    </message>
    <message>
        <source>Square ratio</source>
        <translation>方块边长比例</translation>
    </message>
    <message>
        <source>Anchors K</source>
        <translation>每轮锚点数 K</translation>
    </message>
    <message>
        <source>Rounds (Auto)</source>
        <translation>轮数（自动）</translation>
    </message>
    <message>
        <source>VLM max side</source>
        <translation>VLM 图像最长边</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Folders</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>A folder of NAME.png GT instance maps (0 = background, one id or colour per object): the oracle critics judge each object against its own instance. Empty: against the union GT.</source>
        <translation>存放 NAME.png GT 实例图的文件夹（0 = 背景，每个对象一个编号或颜色）：oracle 评审按各对象自己的实例判断。留空：按合并 GT 判断。</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Work (autosave)</source>
        <translation>工作区（自动保存）</translation>
    </message>
    <message>
        <source>GT instances (oracle)</source>
        <translation>GT 实例图（oracle）</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>applied at the next start (or start with --lang zh_CN|en)</source>
        <translation>下次启动时生效（或用 --lang zh_CN|en 启动）</translation>
    </message>
    <message>
        <source>light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Browse</source>
        <translation>浏览</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <source>Segmenter not available</source>
        <translation>分割模型不可用</translation>
    </message>
    <message>
        <source>{0}

The window keeps the current segmenter until this one can run. Use {1} anyway?</source>
        <translation>{0}

在它能运行之前，窗口继续使用当前的分割模型。仍然选用 {1} 吗？</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>Open a folder (plain, aux or COD layout)</source>
        <translation>打开文件夹（普通、aux 或 COD 布局）</translation>
    </message>
    <message>
        <source>Save the outputs of this image</source>
        <translation>保存这张图像的结果</translation>
    </message>
    <message>
        <source>Export the saved images (COCO, LabelMe, YOLO, VOC, COD...)</source>
        <translation>导出已保存的图像（COCO、LabelMe、YOLO、VOC、COD……）</translation>
    </message>
    <message>
        <source>Discard the autosaved work of this image</source>
        <translation>丢弃这张图像的自动保存</translation>
    </message>
    <message>
        <source>Next image</source>
        <translation>下一张图像</translation>
    </message>
    <message>
        <source>Previous image</source>
        <translation>上一张图像</translation>
    </message>
    <message>
        <source>Flag / unflag this image</source>
        <translation>标记 / 取消标记这张图像</translation>
    </message>
    <message>
        <source>Run the segmenter from the ROI and accepted points</source>
        <translation>根据 ROI 框和已采纳的点运行分割模型</translation>
    </message>
    <message>
        <source>Re-run from the box (forget the brush/eraser edits)</source>
        <translation>从框重新分割（丢弃画笔/橡皮擦的修改）</translation>
    </message>
    <message>
        <source>New object: draw its box</source>
        <translation>新建对象：画出它的框</translation>
    </message>
    <message>
        <source>Delete the selected object</source>
        <translation>删除选中的对象</translation>
    </message>
    <message>
        <source>Propose: one critic round, shown without applying</source>
        <translation>提议：进行一轮评审，只显示不应用</translation>
    </message>
    <message>
        <source>Apply the accepted proposals (refine)</source>
        <translation>应用已采纳的提议点（细化）</translation>
    </message>
    <message>
        <source>Auto: N rounds, every proposal accepted</source>
        <translation>自动：进行 N 轮，采纳全部提议点</translation>
    </message>
    <message>
        <source>Accept the selected proposal(s)</source>
        <translation>采纳选中的提议点</translation>
    </message>
    <message>
        <source>Reject the selected proposal(s)</source>
        <translation>拒绝选中的提议点</translation>
    </message>
    <message>
        <source>Flip the selected point(s) positive/negative</source>
        <translation>翻转选中点的正/负</translation>
    </message>
    <message>
        <source>Accept all pending proposals</source>
        <translation>采纳全部待定提议点</translation>
    </message>
    <message>
        <source>Reject all pending proposals</source>
        <translation>拒绝全部待定提议点</translation>
    </message>
    <message>
        <source>Verdict: keep or revert the last round, as suggested</source>
        <translation>评判：按建议保留或撤回上一轮</translation>
    </message>
    <message>
        <source>Delete the selected point(s)</source>
        <translation>删除选中的点</translation>
    </message>
    <message>
        <source>Points mode: left click +, right click -, drag on empty space draws an ROI</source>
        <translation>点模式：左键加正点，右键加负点，在空白处拖动画 ROI 框</translation>
    </message>
    <message>
        <source>ROI mode: drag draws a new ROI box</source>
        <translation>ROI 模式：拖动画新的 ROI 框</translation>
    </message>
    <message>
        <source>Brush: paint onto the mask</source>
        <translation>画笔：在掩码上涂抹</translation>
    </message>
    <message>
        <source>Eraser: remove from the mask</source>
        <translation>橡皮擦：从掩码中擦除</translation>
    </message>
    <message>
        <source>Bigger brush</source>
        <translation>增大画笔</translation>
    </message>
    <message>
        <source>Smaller brush</source>
        <translation>减小画笔</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Show / hide the mask</source>
        <translation>显示 / 隐藏掩码</translation>
    </message>
    <message>
        <source>Mask outline on / off</source>
        <translation>开关掩码轮廓</translation>
    </message>
    <message>
        <source>Show / hide anchors and squares</source>
        <translation>显示 / 隐藏锚点和方块</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>图像适应窗口</translation>
    </message>
    <message>
        <source>Zoom in (or mouse wheel)</source>
        <translation>放大（或鼠标滚轮）</translation>
    </message>
    <message>
        <source>Zoom out (or mouse wheel)</source>
        <translation>缩小（或鼠标滚轮）</translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation>取消正在运行的任务</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Models: find, check and download weights</source>
        <translation>模型：查找、检查和下载权重</translation>
    </message>
    <message>
        <source>Save automatically: save the image when moving to another one</source>
        <translation>自动保存：切换到另一张图像时保存当前图像</translation>
    </message>
    <message>
        <source>Open video frames and track objects</source>
        <translation>打开视频帧并跟踪目标</translation>
    </message>
    <message>
        <source>Keyboard shortcuts (this list)</source>
        <translation>快捷键（本列表）</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Left click</source>
        <translation>左键单击</translation>
    </message>
    <message>
        <source>add a positive point (points mode)</source>
        <translation>添加正点（点模式）</translation>
    </message>
    <message>
        <source>Right click</source>
        <translation>右键单击</translation>
    </message>
    <message>
        <source>add a negative point; on a point: delete it</source>
        <translation>添加负点；点在已有点上：删除该点</translation>
    </message>
    <message>
        <source>Click a point</source>
        <translation>单击一个点</translation>
    </message>
    <message>
        <source>flip it (Shift/Ctrl+click only selects)</source>
        <translation>翻转它（Shift/Ctrl+单击只选中）</translation>
    </message>
    <message>
        <source>Drag a point</source>
        <translation>拖动一个点</translation>
    </message>
    <message>
        <source>move it</source>
        <translation>移动它</translation>
    </message>
    <message>
        <source>Drag on empty space</source>
        <translation>在空白处拖动</translation>
    </message>
    <message>
        <source>draw a new ROI box</source>
        <translation>画新的 ROI 框</translation>
    </message>
    <message>
        <source>Click an object (ROI mode)</source>
        <translation>单击一个对象（ROI 模式）</translation>
    </message>
    <message>
        <source>select it</source>
        <translation>选中它</translation>
    </message>
    <message>
        <source>Drag ROI handles</source>
        <translation>拖动 ROI 框手柄</translation>
    </message>
    <message>
        <source>resize (corners) or move (centre)</source>
        <translation>调整大小（四角）或移动（中心）</translation>
    </message>
    <message>
        <source>Wheel</source>
        <translation>滚轮</translation>
    </message>
    <message>
        <source>zoom around the cursor</source>
        <translation>以光标为中心缩放</translation>
    </message>
    <message>
        <source>Middle drag / Space + drag</source>
        <translation>中键拖动 / 空格 + 拖动</translation>
    </message>
    <message>
        <source>pan</source>
        <translation>平移</translation>
    </message>
</context>
<context>
    <name>SnapshotBuilder</name>
    <message>
        <source>the segmenter returned an empty mask: the anchors are placed on the ROI box; add a positive point or redraw the box</source>
        <translation>分割模型返回了空掩码：锚点已放在 ROI 框上；请添加正点或重新画框</translation>
    </message>
</context>
<context>
    <name>SquareItem</name>
    <message>
        <source>square around anchor {0}: region 1 (inner, green) / region 2 (outer, magenta)</source>
        <translation>锚点 {0} 周围的方块：区域 1（内侧，绿色）/ 区域 2（外侧，品红）</translation>
    </message>
    <message>
        <source>critic: {0}</source>
        <translation>评审模型：{0}</translation>
    </message>
</context>
<context>
    <name>VideoPanel</name>
    <message>
        <source>SAM 2</source>
        <translation>SAM 2</translation>
    </message>
    <message>
        <source>EdgeTAM</source>
        <translation>EdgeTAM</translation>
    </message>
    <message>
        <source>Propagate</source>
        <translation>传播</translation>
    </message>
    <message>
        <source>New object</source>
        <translation>新建对象</translation>
    </message>
    <message>
        <source>object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Re-propagate from this frame</source>
        <translation>从此帧重新传播</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>radius </source>
        <translation>半径 </translation>
    </message>
    <message>
        <source>Box / clicks</source>
        <translation>框 / 点击</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Box / clicks: drag a box, left click positive, right click negative ({0})</source>
        <translation>框 / 点击：拖动画框，左键为正点，右键为负点（{0}）</translation>
    </message>
    <message>
        <source>Brush: paint the current object&apos;s mask, a right drag erases ({0})</source>
        <translation>画笔：绘制当前对象的掩码，右键拖动为擦除（{0}）</translation>
    </message>
    <message>
        <source>Eraser: erase from the current object&apos;s mask ({0})</source>
        <translation>橡皮擦：从当前对象的掩码中擦除（{0}）</translation>
    </message>
    <message>
        <source>Brush radius in frame pixels ({0} smaller, {1} bigger)</source>
        <translation>画笔半径，单位为帧像素（{0} 减小，{1} 增大）</translation>
    </message>
    <message>
        <source>Use propagated mask</source>
        <translation>使用传播的掩码</translation>
    </message>
    <message>
        <source>Clear object on frame</source>
        <translation>清除本帧的对象提示</translation>
    </message>
    <message>
        <source>Critique frame</source>
        <translation>评审本帧</translation>
    </message>
    <message>
        <source>Accept checked</source>
        <translation>接受勾选项</translation>
    </message>
    <message>
        <source>Reject all</source>
        <translation>全部拒绝</translation>
    </message>
    <message>
        <source>Open a folder of frames</source>
        <translation>打开帧图像文件夹</translation>
    </message>
    <message>
        <source>{0}: drag a box or click on a frame, then Propagate</source>
        <translation>{0}：在某一帧上拖出框或点击，然后点击传播</translation>
    </message>
    <message>
        <source>{0}: the earlier track in {1} is shown: correct a frame, then Re-propagate from this frame</source>
        <translation>{0}：已显示 {1} 中之前的跟踪结果：修正某一帧后，点击“从此帧重新传播”</translation>
    </message>
    <message>
        <source>{0} ({1} frames)</source>
        <translation>{0}（{1} 帧）</translation>
    </message>
    <message>
        <source>object {0}: {1}</source>
        <translation>对象 {0}：{1}</translation>
    </message>
    <message>
        <source>object {0} ({1}) on frame {2}: {3}</source>
        <translation>对象 {0}（{1}），第 {2} 帧：{3}</translation>
    </message>
    <message>
        <source>box</source>
        <translation>框</translation>
    </message>
    <message>
        <source>positive click</source>
        <translation>正点击</translation>
    </message>
    <message>
        <source>negative click</source>
        <translation>负点击</translation>
    </message>
    <message>
        <source>erased</source>
        <translation>已擦除</translation>
    </message>
    <message>
        <source>painted</source>
        <translation>已绘制</translation>
    </message>
    <message>
        <source>object {0} has no propagated mask on frame {1}</source>
        <translation>对象 {0} 在第 {1} 帧没有传播的掩码</translation>
    </message>
    <message>
        <source>propagated mask loaded: paint to correct it</source>
        <translation>已载入传播的掩码：用画笔修正</translation>
    </message>
    <message>
        <source>cleared</source>
        <translation>已清除</translation>
    </message>
    <message>
        <source>frame {0} / {1}</source>
        <translation>第 {0} / {1} 帧</translation>
    </message>
    <message>
        <source>draw object {0}</source>
        <translation>绘制对象 {0}</translation>
    </message>
    <message>
        <source>object {0} has no mask on frame {1}: propagate or paint first</source>
        <translation>对象 {0} 在第 {1} 帧没有掩码：请先传播或绘制</translation>
    </message>
    <message>
        <source>critiquing frame {0}...</source>
        <translation>正在评审第 {0} 帧...</translation>
    </message>
    <message>
        <source>{0}: {1} proposals on frame {2} (accept or reject)</source>
        <translation>{0}：第 {2} 帧有 {1} 个建议点（接受或拒绝）</translation>
    </message>
    <message>
        <source>{0}: no proposals on frame {1}</source>
        <translation>{0}：第 {1} 帧没有建议点</translation>
    </message>
    <message>
        <source>critic error: {0}</source>
        <translation>评审器错误：{0}</translation>
    </message>
    <message>
        <source>{0} proposals accepted</source>
        <translation>已接受 {0} 个建议点</translation>
    </message>
    <message>
        <source>{0} proposals rejected</source>
        <translation>已拒绝 {0} 个建议点</translation>
    </message>
    <message>
        <source>propagating...</source>
        <translation>正在传播……</translation>
    </message>
    <message>
        <source>re-propagating...</source>
        <translation>正在重新传播...</translation>
    </message>
    <message>
        <source>cancelling...</source>
        <translation>正在取消……</translation>
    </message>
    <message>
        <source>done: masks in {0}</source>
        <translation>完成：掩码在 {0}</translation>
    </message>
    <message>
        <source>correction cancelled: Re-propagate from this frame again resumes it ({0})</source>
        <translation>修正已取消：再次点击“从此帧重新传播”即可继续（{0}）</translation>
    </message>
    <message>
        <source>cancelled: the frames done so far are in {0}</source>
        <translation>已取消：已完成的帧在 {0}</translation>
    </message>
    <message>
        <source>error: {0}</source>
        <translation>错误：{0}</translation>
    </message>
</context>
<context>
    <name>VideoWindow</name>
    <message>
        <source>Open a folder of video frames</source>
        <translation>打开视频帧文件夹</translation>
    </message>
    <message>
        <source>Video: {0}</source>
        <translation>视频：{0}</translation>
    </message>
</context>
<context>
    <name>WindowState</name>
    <message>
        <source>Recover unsaved work?</source>
        <translation>恢复未保存的工作？</translation>
    </message>
    <message>
        <source>SAM Sculpt did not close cleanly. Recover the unsaved work on &apos;{0}&apos;?

If you answer No, the autosave is kept: the image stays &apos;in progress&apos; and its work comes back when you open it. File &gt; Discard autosave drops it.</source>
        <translation>SAM Sculpt 上次没有正常关闭。是否恢复“{0}”上未保存的工作？

若选择“否”，自动保存仍会保留：该图像保持“进行中”，打开它时工作会恢复。用“文件 &gt; 丢弃自动保存”可删除它。</translation>
    </message>
    <message>
        <source>not recovered now: the autosave of {0} is kept until you save or discard it (File &gt; Discard autosave)</source>
        <translation>暂不恢复：{0} 的自动保存会一直保留，直到你保存或丢弃它（文件 &gt; 丢弃自动保存）</translation>
    </message>
    <message>
        <source>recovering the unsaved work on {0}</source>
        <translation>正在恢复 {0} 上未保存的工作</translation>
    </message>
    <message>
        <source>no autosave to discard</source>
        <translation>没有可丢弃的自动保存</translation>
    </message>
</context>
</TS>
