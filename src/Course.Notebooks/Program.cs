return await Course.Notebooks.Cli.CourseCommand.MainAsync(args);
