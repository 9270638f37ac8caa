namespace Course.Notebooks.Cli;

public static class CourseCommand
{
    public static Task<int> MainAsync(string[] args) => Task.FromResult(0);
}
