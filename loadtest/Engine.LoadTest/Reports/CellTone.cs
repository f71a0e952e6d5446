namespace Engine.LoadTest.Reports;

internal enum CellTone
{
    Plain,
    Good,
    Bad,
}
