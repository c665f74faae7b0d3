package dev.roan.spring.boot;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.AsyncHandlerMethodReturnValueHandler;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Waits after a controller method returned and before its return value is handled: Spring MVC writes a
 * {@code @ResponseBody} or {@code ResponseEntity} answer there (the headers of a bodiless {@code ResponseEntity}, such
 * as a 303 redirect, included), before any interceptor's {@code postHandle}. Wraps the return value handlers of every
 * {@link RequestMappingHandlerAdapter}, except those of asynchronous values, whose work is not done yet.
 */
final class ReadYourWritesReturnValues implements BeanPostProcessor {

    /** Looked up at the first request: a post-processor is created before the beans it would otherwise need. */
    private final ObjectProvider<ReadYourWrites> wait;

    ReadYourWritesReturnValues(ObjectProvider<ReadYourWrites> wait) {
        this.wait = wait;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
            List<HandlerMethodReturnValueHandler> wrapped = new ArrayList<>();
            for (HandlerMethodReturnValueHandler handler : adapter.getReturnValueHandlers()) {
                wrapped.add(handler instanceof AsyncHandlerMethodReturnValueHandler || handler instanceof Waiting
                        ? handler : new Waiting(handler, wait));
            }
            adapter.setReturnValueHandlers(wrapped);
        }
        return bean;
    }

    private static final class Waiting implements HandlerMethodReturnValueHandler {
        private final HandlerMethodReturnValueHandler delegate;
        private final ObjectProvider<ReadYourWrites> wait;

        Waiting(HandlerMethodReturnValueHandler delegate, ObjectProvider<ReadYourWrites> wait) {
            this.delegate = delegate;
            this.wait = wait;
        }

        @Override
        public boolean supportsReturnType(MethodParameter returnType) {
            return delegate.supportsReturnType(returnType);
        }

        @Override
        public void handleReturnValue(@Nullable Object returnValue, MethodParameter returnType,
                ModelAndViewContainer mavContainer, NativeWebRequest webRequest) throws Exception {
            HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
            ReadYourWrites waiting = wait.getIfAvailable();
            if (request != null && waiting != null) {
                waiting.awaitAfter(request.getMethod(), returnType.getContainingClass().getSimpleName() + "."
                        + returnType.getExecutable().getName());
            }
            delegate.handleReturnValue(returnValue, returnType, mavContainer, webRequest);
        }

        @Override
        public String toString() {
            return "Roan read-your-writes wait, then " + delegate;
        }
    }
}
