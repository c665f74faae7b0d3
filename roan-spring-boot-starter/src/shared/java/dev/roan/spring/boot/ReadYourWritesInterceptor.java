package dev.roan.spring.boot;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.ModelAndView;

/**
 * Waits in {@code postHandle}, after the handler of a POST, PUT, PATCH or DELETE returned and its transaction
 * committed, before the view or the redirect is rendered; forgets the thread's record in {@code afterCompletion}.
 */
final class ReadYourWritesInterceptor implements HandlerInterceptor {

    private final ReadYourWrites wait;

    ReadYourWritesInterceptor(ReadYourWrites wait) {
        this.wait = wait;
    }

    @Override
    public void postHandle(HttpServletRequest request, HttpServletResponse response, Object handler,
            @Nullable ModelAndView modelAndView) {
        wait.awaitAfter(request.getMethod(), ReadYourWrites.describe(handler));
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
            @Nullable Exception ex) {
        wait.clear();
    }
}
